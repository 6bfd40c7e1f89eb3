"""Statistics: how contacts spread across sources, and what each source's deals are worth, over
one range (`source_stats`) or period by period (`source_trend`).

Both build their rows through `stats_rows`, from figures counted in SQL per (period, source)
cell (resolvers/tally.py): one statement per table, whatever the number of periods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from models import Account, Source
from resolvers.aliases import aliases_of
from resolvers.ids import parse_ids
from resolvers.palette import NO_SOURCE_COLOR
from resolvers.periods import Interval, Period, calendar_periods, time_zone
from resolvers.sources import list_sources
from resolvers.tally import Cells, DealFigures, Span, count_cells

NO_SOURCE_LABEL = "No source"  # its colour is the palette's neutral grey, NO_SOURCE_COLOR

__all__ = ["DealFigures", "Interval"]  # re-exported: the figures and intervals of the statistics


class ContactKind(StrEnum):
    PERSONS = "PERSONS"
    COMPANIES = "COMPANIES"
    ALL = "ALL"


class Attribution(StrEnum):
    """Which source a record is counted under: its current one, or the first it ever had."""

    CURRENT = "CURRENT"
    FIRST_TOUCH = "FIRST_TOUCH"


@dataclass
class StatsRow:
    source: Source | None
    persons: int = 0
    companies: int = 0
    share: float = 0.0
    deals: DealFigures = field(default_factory=DealFigures)

    @property
    def label(self) -> str:
        return self.source.name if self.source else NO_SOURCE_LABEL

    @property
    def color(self) -> str:
        return self.source.color if self.source else NO_SOURCE_COLOR

    @property
    def counts_anything(self) -> bool:
        return bool(self.count or self.deals.count)

    @property
    def count(self) -> int:
        return self.persons + self.companies


@dataclass
class StatsFilter:
    user_ids: list[str] | None = None  # None: all owners; []: nobody
    created_from: datetime | None = None
    created_to: datetime | None = None  # exclusive
    attribution: Attribution = Attribution.CURRENT

    @property
    def source_column(self) -> str:
        """The column rows are grouped by: source_id, or first_source_id for FIRST_TOUCH."""
        return "first_source_id" if self.attribution is Attribution.FIRST_TOUCH else "source_id"

    def owners(self) -> list[UUID] | None:
        """The owners' ids (malformed ones match nobody); None for everyone."""
        return None if self.user_ids is None else parse_ids(self.user_ids, field="userIds")


@dataclass(frozen=True)
class TrendPeriod:
    period: Period
    rows: list[StatsRow]


async def source_stats(
    *, account: Account, kind: ContactKind, where: StatsFilter, deal_figures: bool = True
) -> list[StatsRow]:
    """The rows of `stats_rows` over the filter's creation range. Without `deal_figures` the
    rows are the same but their deal figures are 0 (for callers that show none of them)."""
    (rows,) = await _rows_by_span(
        account, kind, where, [Span(where.created_from, where.created_to)], deal_figures
    )
    return rows


async def source_trend(
    *,
    account: Account,
    kind: ContactKind,
    where: StatsFilter,
    interval: Interval,
    zone: str,
    deal_figures: bool = True,
) -> list[TrendPeriod]:
    """The calendar periods of `interval` in time zone `zone` that overlap the filter's creation
    range (which both ends bound), clipped to it (resolvers/periods.py); each period's rows are
    exactly `source_stats` over that period."""
    if where.created_from is None or where.created_to is None:
        raise ValueError("a trend needs both ends of its range")
    periods = calendar_periods(interval, where.created_from, where.created_to, time_zone(zone))
    spans = [Span(p.start, p.end) for p in periods]
    rows = await _rows_by_span(account, kind, where, spans, deal_figures)
    return [TrendPeriod(period, period_rows) for period, period_rows in zip(periods, rows, strict=True)]


async def _rows_by_span(
    account: Account, kind: ContactKind, where: StatsFilter, spans: list[Span], deal_figures: bool
) -> list[list[StatsRow]]:
    owners = where.owners()
    sources = await list_sources(account=account, include_archived=True)
    cells = await count_cells(
        account=account,
        spans=spans,
        column=where.source_column,
        owners=owners,
        persons=kind in (ContactKind.PERSONS, ContactKind.ALL),
        companies=kind in (ContactKind.COMPANIES, ContactKind.ALL),
        deal_figures=deal_figures,
        archived=[s.id for s in sources if s.archived],
        aliases=await aliases_of(account),
    )
    return [stats_rows(sources, span_cells) for span_cells in cells]


def stats_rows(sources: list[Source], cells: Cells) -> list[StatsRow]:
    """One row per source of the account, plus "No source" when anything counted lacks one.

    An archived source has a row only while anything counted (a contact of the requested kind,
    or a deal in the filtered set) uses it. `persons` and `companies` split `count` within the
    requested kind (so for PERSONS, `companies` is 0). Ordered by count descending, then label
    ignoring case; "No source" last. `share` is count / the total count of the rows.
    """
    rows = {s.id: StatsRow(source=s) for s in sources}
    no_source = StatsRow(source=None)
    for source_id, cell in cells.items():
        # a source created while we counted has no row: it can only have had zero records
        row = no_source if source_id is None else rows.get(source_id)
        if row is not None:
            row.persons, row.companies, row.deals = cell.persons, cell.companies, cell.deals
    shown = [r for r in rows.values() if r.source and (not r.source.archived or r.counts_anything)]
    total = sum(r.count for r in shown) + no_source.count
    result = sorted(shown, key=lambda r: (-r.count, r.label.casefold(), str(r.source and r.source.id)))
    if no_source.counts_anything:
        result.append(no_source)
    for r in result:
        r.share = r.count / total if total else 0.0
    return result
