from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Self

import strawberry

from resolvers import stats
from resolvers.palette import NO_SOURCE_COLOR
from resolvers.periods import MAX_PERIODS
from schema.context import Info
from schema.enums import Attribution, ContactKind, Interval
from schema.prefetch import selects
from schema.sources import Source


@strawberry.type(description="Deals with one source, under the same owner and date filters.")
class DealStats:
    count: int
    total_value: Decimal
    average_value: Decimal | None = strawberry.field(description="Null when count is 0.")
    won: int
    won_value: Decimal
    win_rate: float | None = strawberry.field(description="won / (won + lost); null when no deal is closed.")

    @classmethod
    def from_figures(cls, figures: stats.DealFigures) -> Self:
        return cls(
            count=figures.count,
            total_value=figures.total_value,
            average_value=figures.average_value,
            won=figures.won,
            won_value=figures.won_value,
            win_rate=figures.win_rate,
        )


@strawberry.type
class SourceStatsRow:
    source: Source | None = strawberry.field(description="Null on the row of records without a source.")
    label: str = strawberry.field(description='The source\'s name, or "No source".')
    color: str = strawberry.field(
        description=f'The source\'s colour, or {NO_SOURCE_COLOR} (a neutral grey) on "No source".'
    )
    count: int = strawberry.field(description="Contacts of the requested kind.")
    persons: int = strawberry.field(description="Persons in count (0 when the kind is COMPANIES).")
    companies: int = strawberry.field(description="Companies in count (0 when the kind is PERSONS).")
    share: float = strawberry.field(description="count / the total count of all rows, 0..1.")
    deals: DealStats

    @classmethod
    def from_row(cls, row: stats.StatsRow) -> Self:
        return cls(
            source=Source.from_model(row.source) if row.source else None,
            label=row.label,
            color=row.color,
            count=row.count,
            persons=row.persons,
            companies=row.companies,
            share=row.share,
            deals=DealStats.from_figures(row.deals),
        )


USER_IDS_DOC = "Owners to count. Left out or null: all owners; an empty list: nobody."
ATTRIBUTION_DOC = (
    "CURRENT (the default; null means it too) counts each record under its source now; "
    "FIRST_TOUCH under its first source (firstSource), which no edit changes."
)
TIME_ZONE_DOC = (
    'An IANA time zone name such as "Europe/Warsaw" (exact spelling; unknown: BAD_USER_INPUT): the '
    "periods are its calendar days, ISO weeks (Monday first), months, quarters or years."
)


def stats_filter(
    user_ids: list[strawberry.ID] | None,
    created_from: datetime | None,
    created_to: datetime | None,
    attribution: Attribution | None,
) -> stats.StatsFilter:
    """The filter arguments sourceStats and sourceTrend share; a null attribution is CURRENT."""
    return stats.StatsFilter(
        user_ids=None if user_ids is None else [str(u) for u in user_ids],
        created_from=created_from,
        created_to=created_to,
        attribution=attribution or Attribution.CURRENT,
    )


@strawberry.type(description="One calendar period of sourceTrend, clipped to the requested range.")
class SourceTrendPeriod:
    start: datetime = strawberry.field(description="Inclusive, in UTC.")
    end: datetime = strawberry.field(description="Exclusive, in UTC.")
    label: str = strawberry.field(
        description="The whole calendar period, even when clipped: 2026-03-14, 2026-W11 (ISO week and "
        "year), 2026-03, 2026-Q1 or 2026."
    )
    rows: list[SourceStatsRow] = strawberry.field(
        description="Exactly what sourceStats returns for this period's start and end."
    )

    @classmethod
    def from_period(cls, trend: stats.TrendPeriod) -> Self:
        return cls(
            start=trend.period.start,
            end=trend.period.end,
            label=trend.period.label,
            rows=[SourceStatsRow.from_row(r) for r in trend.rows],
        )


@strawberry.type
class StatsQuery:
    @strawberry.field(
        description="How contacts spread across sources: one row per source (zero rows "
        'included; an archived source only while anything counted uses it) plus "No source" '
        "when anything counted lacks one. Ordered by count descending, then label ignoring case, "
        '"No source" last. createdFrom is inclusive, createdTo exclusive.'
    )
    async def source_stats(
        self,
        info: Info,
        user_ids: Annotated[list[strawberry.ID] | None, strawberry.argument(description=USER_IDS_DOC)] = None,
        contact_kind: ContactKind = ContactKind.ALL,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        attribution: Annotated[
            Attribution | None, strawberry.argument(description=ATTRIBUTION_DOC)
        ] = Attribution.CURRENT,
    ) -> list[SourceStatsRow]:
        rows = await stats.source_stats(
            account=info.context.account,
            kind=contact_kind,
            where=stats_filter(user_ids, created_from, created_to, attribution),
            deal_figures=selects(info, "deals"),
        )
        return [SourceStatsRow.from_row(r) for r in rows]

    @strawberry.field(
        description="sourceStats period by period: every calendar period of `interval` in `timeZone` "
        f"that overlaps [createdFrom, createdTo), in order, clipped to it; at most {MAX_PERIODS} "
        "periods (more: BAD_USER_INPUT on createdTo, which must also be later than createdFrom)."
    )
    async def source_trend(
        self,
        info: Info,
        interval: Interval,
        created_from: datetime,
        created_to: datetime,
        time_zone: Annotated[str, strawberry.argument(description=TIME_ZONE_DOC)] = "UTC",
        user_ids: Annotated[list[strawberry.ID] | None, strawberry.argument(description=USER_IDS_DOC)] = None,
        contact_kind: ContactKind = ContactKind.ALL,
        attribution: Annotated[
            Attribution | None, strawberry.argument(description=ATTRIBUTION_DOC)
        ] = Attribution.CURRENT,
    ) -> list[SourceTrendPeriod]:
        periods = await stats.source_trend(
            account=info.context.account,
            kind=contact_kind,
            where=stats_filter(user_ids, created_from, created_to, attribution),
            interval=interval,
            zone=time_zone,
            deal_figures=selects(info, "rows", "deals"),
        )
        return [SourceTrendPeriod.from_period(p) for p in periods]
