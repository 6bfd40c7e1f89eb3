"""The statistics' figures per cell, a cell being one source in one period, counted in SQL.

One statement per table (persons, companies, deals) answers every cell of a request: the
periods are a VALUES list, crossed with the account's sources (and "no source"), and each cell
is a correlated subquery over exactly its range of a covering index: (account, source column,
created_at, owner), or (account, owner, source, created_at) when owners are asked for. The
database seeks to each cell and reads only the rows inside it, so no GROUP BY has to sort, no
row reaches Python, and a year by month reads what one period over the year reads.
(`sourceStats` is the same statement with one period.)

Deal figures are in integer cents, summed in two exact halves (see SPLIT); a cell's deal figures
travel as one JSON array, since a scalar subquery returns one value.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import connections

from models import Account, DealStatus
from resolvers.aliases import Aliases, fold
from resolvers.money import CENT, from_cents
from resolvers.times import utc

# SQLite's SUM of integers fails beyond 2**63 (about 9,300 deals of the largest value a client may
# store), so each deal's cents are split at 10**9 into a high part (below 10**6) and a low part
# (below 10**9); neither sum can overflow for billions of deals, and Python adds them up exactly.
SPLIT = 10**9
_HIGH = f"t.value_cents / {SPLIT}"  # integer division on both backends (BIGINT / INTEGER)
_LOW = f"t.value_cents - t.value_cents / {SPLIT} * {SPLIT}"  # not %: a float on some backends
_WON = f"t.status = '{DealStatus.WON.value}'"
_LOST = f"t.status = '{DealStatus.LOST.value}'"
# count, total (high, low), won, won value (high, low), lost
_DEAL_FIGURES = (
    "COUNT(*)",
    f"SUM({_HIGH})",
    f"SUM({_LOW})",
    f"COUNT(CASE WHEN {_WON} THEN 1 END)",
    f"SUM(CASE WHEN {_WON} THEN {_HIGH} END)",
    f"SUM(CASE WHEN {_WON} THEN {_LOW} END)",
    f"COUNT(CASE WHEN {_LOST} THEN 1 END)",
)
JSON_ARRAY = {"sqlite": "json_array", "postgres": "json_build_array"}


@dataclass
class DealFigures:
    count: int = 0
    total_cents: int = 0
    won: int = 0
    won_cents: int = 0
    lost: int = 0

    def __add__(self, other: DealFigures) -> DealFigures:
        return DealFigures(
            self.count + other.count,
            self.total_cents + other.total_cents,
            self.won + other.won,
            self.won_cents + other.won_cents,
            self.lost + other.lost,
        )

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
class Cell:
    persons: int = 0
    companies: int = 0
    deals: DealFigures = field(default_factory=DealFigures)


Cells = dict[UUID | None, Cell]  # by source id; None holds the records without a source


@dataclass(frozen=True)
class Span:
    """A creation range: `start` inclusive, `end` exclusive; None leaves that side open."""

    start: datetime | None
    end: datetime | None


async def count_cells(
    *,
    account: Account,
    spans: Sequence[Span],
    column: str,
    owners: list[UUID] | None,
    persons: bool,
    companies: bool,
    deal_figures: bool = True,
    archived: Collection[UUID] = (),
    aliases: Aliases | None = None,
) -> list[Cells]:
    """The cells of each span, in order: persons and companies (when asked for) and deals per
    source `column` ("source_id", or "first_source_id" for first touch), of the `owners` (None:
    everyone). Every span must be bounded on the same sides. Cells are counted by stored id
    and those of `aliases` added to the cell of the source they mean (resolvers/aliases.py).

    Without `deal_figures` only the deal counts that decide which rows exist are taken, and
    only when the contacts leave it open: those of the `archived` sources and of "no source"
    (see `stats_rows`); every other deal figure stays 0. A request that shows no deal figure
    thus reads the deal table only when a cell of those has no contact.
    """
    found: list[Cells] = [{} for _ in spans]
    if not spans or owners == []:
        return found
    client: BaseDBAsyncClient = connections.get("default")  # the request's reader on SQLite
    dialect = client.capabilities.dialect

    aliases = aliases or {}

    def cell(i: int, source_id: object) -> Cell:
        return found[i].setdefault(fold(source_id, aliases), Cell())

    for table, kind, wanted in (("person", "persons", persons), ("company", "companies", companies)):
        if wanted:
            sql, params = cells_statement(
                dialect, table, "COUNT(*)", account, spans, column, owners, counts_only=True
            )
            for row in await client.execute_query_dict(sql, params):
                counted = cell(row["i"], row["source_id"])
                setattr(counted, kind, getattr(counted, kind) + int(row["figures"]))

    def settled_by_contacts(cells: Cells) -> bool:
        deciding = (cells.get(key) for key in (None, *archived))
        return all(c is not None and bool(c.persons or c.companies) for c in deciding)

    if not deal_figures and all(settled_by_contacts(cells) for cells in found):
        return found
    chosen = _DEAL_FIGURES if deal_figures else _DEAL_FIGURES[:1]
    figures = f"{JSON_ARRAY[dialect]}({', '.join(chosen)})"
    deciding = set(archived)
    deciding.update(pk for pk, into in aliases.items() if into is None or into in deciding)
    sql, params = cells_statement(
        dialect, "deal", figures, account, spans, column, owners,
        only=None if deal_figures else deciding, counts_only=not deal_figures,
    )  # fmt: skip
    for row in await client.execute_query_dict(sql, params):
        values = json.loads(row["figures"])
        if values[0]:
            counted = cell(row["i"], row["source_id"])
            counted.deals = counted.deals + _deal_figures(*values)
    return found


def cells_statement(
    dialect: str,
    table: str,
    figures: str,
    account: Account,
    spans: Sequence[Span],
    column: str,
    owners: list[UUID] | None,
    *,
    only: Collection[UUID] | None = None,
    counts_only: bool = False,
) -> tuple[str, list[Any]]:
    """The statement and its parameters: rows (i, source_id, figures) for every cell, of every
    stored source id of the account (retired ones too: resolvers/aliases.py), or with `only`,
    of those ids and of "no source".

    A record's source is always one of its own account's (resolvers/assignment.py), so the cell
    of a source is found by the source alone when nothing else narrows it: `counts_only` (the
    figures read no other column) over all time and every owner then counts on the small
    single-column `*_source_fk` index (deduplicated on PostgreSQL: 2 MB instead of the covering
    index's 28 MB at 300,000 persons, and a third of the time). "No source" is always counted
    within the account.

    `table`, `figures` and `column` are this module's own words, never a client's.
    """
    params: list[Any] = []

    def param(value: Any, cast: str = "") -> str:
        params.append(value)
        if dialect == "postgres":
            return f"${len(params)}{cast}"
        return f"?{len(params)}"

    account_id = param(str(account.id), "::uuid")
    bounded_start, bounded_end = spans[0].start is not None, spans[0].end is not None
    if any((s.start is not None, s.end is not None) != (bounded_start, bounded_end) for s in spans):
        raise ValueError("every span must be bounded on the same sides")
    rows = []
    for i, span in enumerate(spans):
        bounds = [param(utc(b), "::timestamptz") for b in (span.start, span.end) if b is not None]
        rows.append(f"({', '.join([str(i), *bounds])})")
    periods = ", ".join(rows)
    columns = ", ".join(["i", *(["lo"] if bounded_start else []), *(["hi"] if bounded_end else [])])
    inside = [f"t.account_id = {account_id}"]
    if bounded_start:
        inside.append("t.created_at >= period.lo")
    if bounded_end:
        inside.append("t.created_at < period.hi")
    if owners is not None:
        if dialect == "postgres":
            inside.append(f"t.owner_id = ANY({param([str(o) for o in owners], '::uuid[]')})")
        else:
            inside.append(f"t.owner_id IN ({', '.join(param(str(o)) for o in owners)})")
    where = " AND ".join(inside)
    narrowed = bounded_start or bounded_end or owners is not None
    in_source = where if narrowed or not counts_only else "TRUE"
    if only is None:
        chosen = ""
    elif dialect == "postgres":
        chosen = f" AND id = ANY({param([str(pk) for pk in only], '::uuid[]')})"
    else:
        chosen = f" AND id IN ({', '.join(param(str(pk)) for pk in only) or 'NULL'})"
    sql = (
        f"WITH period ({columns}) AS (VALUES {periods}), "
        f"cell_source (id) AS (SELECT id FROM source WHERE account_id = {account_id}{chosen}) "
        f"SELECT period.i AS i, cell_source.id AS source_id, "
        f"(SELECT {figures} FROM {table} t WHERE t.{column} = cell_source.id AND {in_source}) AS figures "
        f"FROM period, cell_source "
        f"UNION ALL "
        f"SELECT period.i, NULL, (SELECT {figures} FROM {table} t WHERE t.{column} IS NULL AND {where}) "
        f"FROM period"
    )
    return sql, params


def _deal_figures(
    count: int,
    total_high: int | None = 0,
    total_low: int | None = 0,
    won: int = 0,
    won_high: int | None = 0,
    won_low: int | None = 0,
    lost: int = 0,
) -> DealFigures:
    """A cell's deal figures from its row, in _DEAL_FIGURES order (a count alone: the rest 0)."""
    return DealFigures(
        count=count,
        total_cents=_cents(total_high, total_low),
        won=won,
        won_cents=_cents(won_high, won_low),
        lost=lost,
    )


def _cents(high: int | None, low: int | None) -> int:
    """SUM is NULL over no rows."""
    return int(high or 0) * SPLIT + int(low or 0)
