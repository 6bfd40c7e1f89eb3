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
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import connections

from models import Account, DealStatus
from resolvers.ids import as_uuid
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
) -> list[Cells]:
    """The cells of each span, in order: persons and companies (when asked for) and deals per
    source `column` ("source_id", or "first_source_id" for first touch), of the `owners` (None:
    everyone). Every span must be bounded on the same sides."""
    found: list[Cells] = [{} for _ in spans]
    if not spans or owners == []:
        return found
    client: BaseDBAsyncClient = connections.get("default")  # the request's reader on SQLite
    dialect = client.capabilities.dialect

    def cell(i: int, source_id: object) -> Cell:
        key = None if source_id is None else as_uuid(source_id)
        return found[i].setdefault(key, Cell())

    for table, kind, wanted in (("person", "persons", persons), ("company", "companies", companies)):
        if wanted:
            sql, params = cells_statement(dialect, table, "COUNT(*)", account, spans, column, owners)
            for row in await client.execute_query_dict(sql, params):
                setattr(cell(row["i"], row["source_id"]), kind, int(row["figures"]))
    figures = f"{JSON_ARRAY[dialect]}({', '.join(_DEAL_FIGURES)})"
    sql, params = cells_statement(dialect, "deal", figures, account, spans, column, owners)
    for row in await client.execute_query_dict(sql, params):
        count, total_high, total_low, won, won_high, won_low, lost = json.loads(row["figures"])
        if count:
            cell(row["i"], row["source_id"]).deals = DealFigures(
                count=count,
                total_cents=_cents(total_high, total_low),
                won=won,
                won_cents=_cents(won_high, won_low),
                lost=lost,
            )
    return found


def cells_statement(
    dialect: str,
    table: str,
    figures: str,
    account: Account,
    spans: Sequence[Span],
    column: str,
    owners: list[UUID] | None,
) -> tuple[str, list[Any]]:
    """The statement and its parameters: rows (i, source_id, figures) for every cell.

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
    sql = (
        f"WITH period ({columns}) AS (VALUES {periods}), "
        f"cell_source (id) AS (SELECT id FROM source WHERE account_id = {account_id}) "
        f"SELECT period.i AS i, cell_source.id AS source_id, "
        f"(SELECT {figures} FROM {table} t WHERE t.{column} = cell_source.id AND {where}) AS figures "
        f"FROM period, cell_source "
        f"UNION ALL "
        f"SELECT period.i, NULL, (SELECT {figures} FROM {table} t WHERE t.{column} IS NULL AND {where}) "
        f"FROM period"
    )
    return sql, params


def _cents(high: int | None, low: int | None) -> int:
    """SUM is NULL over no rows."""
    return int(high or 0) * SPLIT + int(low or 0)
