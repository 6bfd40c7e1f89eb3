"""Statistics: how contacts spread across sources, and what each source's deals are worth.

Everything is aggregated in SQL: one GROUP BY per table, served by the covering indexes
(account, source, created) and (account, owner, source, created), or (account, first source,
created) for first touch (`Attribution.FIRST_TOUCH`); no rows reach Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any, Literal
from uuid import UUID

from tortoise.expressions import CombinedExpression, Connector, F, Q
from tortoise.functions import Count, Sum
from tortoise.queryset import ValuesQuery

from models import Account, Company, Deal, DealStatus, Person, Source
from resolvers.filters import created_q, owners_q
from resolvers.money import CENT, from_cents
from resolvers.palette import NO_SOURCE_COLOR
from resolvers.sources import list_sources

NO_SOURCE_LABEL = "No source"  # its colour is the palette's neutral grey, NO_SOURCE_COLOR

# Rows are counted by a NOT NULL column that the covering indexes hold; COUNT("id") would make
# SQLite and PostgreSQL visit the table for every row.
COUNTED = "created_at"


class ContactKind(StrEnum):
    PERSONS = "PERSONS"
    COMPANIES = "COMPANIES"
    ALL = "ALL"


class Attribution(StrEnum):
    """Which source a record is counted under: its current one, or the first it ever had."""

    CURRENT = "CURRENT"
    FIRST_TOUCH = "FIRST_TOUCH"


@dataclass
class DealFigures:
    count: int = 0
    total_cents: int = 0
    won: int = 0
    won_cents: int = 0
    lost: int = 0

    @property
    def total_value(self) -> Decimal:
        return from_cents(self.total_cents)

    @property
    def won_value(self) -> Decimal:
        return from_cents(self.won_cents)

    @property
    def average_value(self) -> Decimal | None:
        if not self.count:
            return None
        return (Decimal(self.total_cents) / self.count / 100).quantize(CENT, ROUND_HALF_UP)

    @property
    def win_rate(self) -> float | None:
        closed = self.won + self.lost
        return self.won / closed if closed else None


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

    def q(self) -> Q:
        owners = Q() if self.user_ids is None else owners_q(self.user_ids, field="userIds")
        return Q(owners, created_q(self.created_from, self.created_to))


async def source_stats(*, account: Account, kind: ContactKind, where: StatsFilter) -> list[StatsRow]:
    """One row per source of the account, plus "No source" when anything counted lacks one.

    An archived source has a row only while anything counted (a contact of the requested kind,
    or a deal in the filtered set) uses it. `persons` and `companies` split `count` within the
    requested kind (so for PERSONS, `companies` is 0). Ordered by count descending, then label
    ignoring case; "No source" last.
    """
    rows: dict[UUID | None, StatsRow] = {
        s.id: StatsRow(source=s) for s in await list_sources(account=account, include_archived=True)
    }
    no_source = StatsRow(source=None)
    q, column = where.q(), where.source_column

    def row(source_id: Any) -> StatsRow:
        if source_id is None:
            return no_source
        # a source created while we count has no row yet: it can only have zero records
        return rows.get(UUID(str(source_id))) or StatsRow(source=None)

    if kind in (ContactKind.PERSONS, ContactKind.ALL):
        for counted in await contact_counts_query(Person, account, q, column=column):
            row(counted[column]).persons = counted["n"]
    if kind in (ContactKind.COMPANIES, ContactKind.ALL):
        for counted in await contact_counts_query(Company, account, q, column=column):
            row(counted[column]).companies = counted["n"]
    for figures in await deal_figures_query(account, q, column=column):
        row(figures[column]).deals = DealFigures(
            count=figures["n"],
            total_cents=_cents(figures["total_high"], figures["total_low"]),
            won=figures["won"],
            won_cents=_cents(figures["won_high"], figures["won_low"]),
            lost=figures["lost"],
        )

    shown = [r for r in rows.values() if r.source and (not r.source.archived or r.counts_anything)]
    total = sum(r.count for r in shown) + no_source.count
    result = sorted(shown, key=lambda r: (-r.count, r.label.casefold(), str(r.source and r.source.id)))
    if no_source.counts_anything:
        result.append(no_source)
    for r in result:
        r.share = r.count / total if total else 0.0
    return result


def contact_counts_query(
    model: type[Person] | type[Company], account: Account, q: Q, *, column: str
) -> ValuesQuery[Literal[False]]:
    """Contacts per source `column` (StatsFilter.source_column): served by (account, source,
    created) or (account, owner, ...), or (account, first source, created) for first touch."""
    return model.filter(q, account=account).annotate(n=Count(COUNTED)).group_by(column).values(column, "n")


# Sums of cents in two exact halves: SQLite's SUM of integers fails beyond 2**63 (about 9,300
# deals of the largest value a client may store), so each deal's cents are split at 10**9 into
# a high part (below 10**6) and a low part (below 10**9); neither sum can overflow for billions
# of deals, and Python adds them up exactly. Still read from the covering index alone.
SPLIT = 10**9
_HIGH = F("value_cents") / SPLIT  # integer division on both backends (BIGINT / INTEGER)
# v - v / SPLIT * SPLIT, spelled out: Tortoise's `%` is MOD(), a float on SQLite
_LOW = F("value_cents") - CombinedExpression(_HIGH, Connector.mul, SPLIT)


def deal_figures_query(account: Account, q: Q, *, column: str) -> ValuesQuery[Literal[False]]:
    """Deal figures per source `column`, in integer cents: exact on every backend (see SPLIT)."""
    won = Q(status=DealStatus.WON)
    return (
        Deal.filter(q, account=account)
        .annotate(
            n=Count(COUNTED),
            total_high=Sum(_HIGH),
            total_low=Sum(_LOW),
            won=Count(COUNTED, _filter=won),
            won_high=Sum(_HIGH, _filter=won),
            won_low=Sum(_LOW, _filter=won),
            lost=Count(COUNTED, _filter=Q(status=DealStatus.LOST)),
        )
        .group_by(column)
        .values(column, "n", "total_high", "total_low", "won", "won_high", "won_low", "lost")
    )


def _cents(high: int | Decimal | None, low: int | Decimal | None) -> int:
    """SUM is NULL over no rows; PostgreSQL answers NUMERIC (Decimal), SQLite an integer."""
    return int(high or 0) * SPLIT + int(low or 0)
