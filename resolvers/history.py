"""The history of records' sources: written with every change, read newest first in pages.

What a change does (its reason, the origin it leaves, how first sources follow) is decided in
resolvers/assignment.py; this module writes it, and every change but a creation is a `Move`:
a set of records of one table (one edited record, a company's persons, every record on some
sources) moving onto one source or none.

- One statement per table writes a move's entries. PostgreSQL runs the whole move as one
  statement: a CTE locks the selected rows, updates them and inserts one entry per record whose
  source changed, from the values it locked, so a concurrent edit can never be logged twice or
  not at all. SQLite (one writer, holding the write lock: resolvers/locks.py) runs an
  INSERT … SELECT of the entries, then the UPDATE of the moving rows (and one of the rows
  whose first source only follows).
- A change is dated once its records are locked, so each record's entries are in time order.
- An entry keeps both sources' names, so it reads the same after they are deleted, and their
  ids without a foreign key (models/source_change.py): deleting a source does not rewrite the
  history that names it.
- Deleting a record deletes its entries (`forget`).
- Reading: a record's entries newest first in keyset pages (resolvers/pagination.py); for a page
  of records, the first (or last) page of each in one statement (a window function per record),
  and their counts in one GROUP BY.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from functools import cache, partial
from typing import Any, Final, Literal
from uuid import UUID

from tortoise import timezone
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import connections
from tortoise.functions import Count
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models import (
    Account,
    Company,
    Deal,
    Person,
    RecordKind,
    SourceChange,
    SourceChangeReason,
    SourceOrigin,
)
from resolvers.ids import as_uuid
from resolvers.locks import HeldSource
from resolvers.pagination import Ordering, Page, PageRequest, page_of, paginate, reading_descending

RECORD_KINDS: dict[type[Model], RecordKind] = {
    Company: RecordKind.COMPANY,
    Person: RecordKind.PERSON,
    Deal: RecordKind.DEAL,
}
ENTRY_COLUMNS = (
    "account_id", "record_kind", "record_id", "at", "reason", "by_id",
    "from_source_id", "from_name", "to_source_id", "to_name",
)  # fmt: skip
HISTORY_DEFAULT = 20  # entries on a page when neither first nor last is given


def entry_id(text: str) -> int:
    """The id half of a history cursor: a positive 64-bit integer written in ASCII digits."""
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 2**63:
        raise ValueError("not an entry id")
    return int(text)


NEWEST_FIRST = Ordering("at", descending=True, pk=entry_id)


class _Keep(Enum):
    KEEP = "KEEP"


KEEP: Final = _Keep.KEEP


class FirstSource(Enum):
    """How a move changes first sources. FOLLOW: records whose first source is one of the
    sources moved away from take the move's target (none: cleared) as it. ADOPT: moving records
    that never had a source take the target as their first, dated now."""

    FOLLOW = "FOLLOW"
    ADOPT = "ADOPT"


@dataclass(frozen=True)
class OnSources:
    """Every record whose source is one of the live sources `ids`, which are retired in the
    same transaction (resolvers/aliases.py): its stored id is one of them or one of `aliases`
    (alias -> the one of `ids` it means). The records keep their stored ids, the retired
    sources become aliases of the move's target; only their entries, `updatedAt` and (when the
    move sets one) origin are written. Entries name sources by id without a foreign key, so
    theirs stay as written and read as null once the source is retired; the names stay readable."""

    ids: Sequence[UUID]
    aliases: Mapping[UUID, UUID] = field(default_factory=dict)

    @property
    def stored(self) -> list[UUID]:
        return [*self.ids, *self.aliases]


@dataclass(frozen=True)
class OfCompany:
    """The records of a company without a source, or with `overwrite` every one whose source
    is not the move's target."""

    company_id: UUID
    overwrite: bool


@dataclass(frozen=True)
class OneRecord:
    """One record, when its source is not the move's target already."""

    id: UUID


@dataclass(frozen=True)
class Move:
    """Records moving onto `to` (or off any source), why, and what becomes of their origin
    (KEEP: unchanged) and first source."""

    reason: SourceChangeReason
    records: OnSources | OfCompany | OneRecord
    to: HeldSource | None
    origin: SourceOrigin | Literal[_Keep.KEEP] | None
    first: FirstSource


async def record_created(
    model: type[Model],
    *,
    account: Account,
    record_id: UUID,
    reason: SourceChangeReason,
    by: UUID,
    to: HeldSource,
    at: datetime,
) -> None:
    """The entry of a record created with a source (chosen or inherited)."""
    await SourceChange.create(
        account_id=account.id,
        record_kind=RECORD_KINDS[model],
        record_id=record_id,
        at=at,
        reason=reason,
        by_id=by,
        to_source_id=to.id,
        to_name=to.name,
    )


async def apply_move(
    model: type[Model], *, account: Account, move: Move, by: UUID, now: datetime | None = None
) -> int:
    """Moves the selected records of `model` with their entries; how many changed source.

    Every record the move changes gets `updatedAt` (and its entry `at`) `now`, those whose first
    source followed too. `now` must come after every change the move may follow, so a record's
    entries are in time order: a time taken once the records are locked (an edit), or None for
    the time each record is locked (PostgreSQL's clock as the statement locks it; on SQLite the
    transaction already holds the write lock, so now).
    """
    connection = _connection()
    statements = move_statements(model, account=account, move=move, by=by, now=now)
    if connection.capabilities.dialect == "postgres":
        rows = await connection.execute_query_dict(*statements[0])
        return int(rows[0]["moved"])
    entries, update, *follow = statements
    moved, _ = await connection.execute_query(*entries)
    if moved:
        await connection.execute_query(*update)
    for statement in follow:
        await connection.execute_query(*statement)
    return moved


def move_statements(
    model: type[Model], *, account: Account, move: Move, by: UUID, now: datetime | None = None
) -> list[tuple[str, list[Any]]]:
    """A move's statements with their parameters. PostgreSQL: one, which returns how many moved.
    SQLite: the entries (their count is how many move), the update of the moving rows, and when
    first sources follow, the update of the rows whose only first source follows."""
    connection = _connection()
    if now is None and connection.capabilities.dialect != "postgres":
        now = timezone.now()

    def statement(write: Callable[[_MoveSql], str]) -> tuple[str, list[Any]]:
        sql = _MoveSql(_Sql(connection), model, account, move, by, now)
        return write(sql), sql.sql.params

    if connection.capabilities.dialect == "postgres":
        return [statement(_MoveSql.postgres)]
    statements = [statement(_MoveSql.sqlite_entries), statement(_MoveSql.sqlite_update)]
    if move.first is FirstSource.FOLLOW and isinstance(move.records, OnSources):
        statements.append(statement(_MoveSql.sqlite_follow))
    return statements


class _MoveSql:
    """The SQL of one move on one table, alias r. Each fragment adds its parameters when it is
    written, so one instance writes one statement."""

    def __init__(
        self, sql: _Sql, model: type[Model], account: Account, move: Move, by: UUID, now: datetime | None
    ) -> None:
        self.sql, self.table, self.kind = sql, model._meta.db_table, RECORD_KINDS[model]
        self.account, self.move, self.by, self.now = account, move, by, now
        self.follows = move.first is FirstSource.FOLLOW and isinstance(move.records, OnSources)
        self.keeps_ids = isinstance(move.records, OnSources)

    def postgres(self) -> str:
        """Lock, update, log: the entries come from the locked rows, so they are exact. FOR NO KEY
        UPDATE, the lock the UPDATE takes anyway: a foreign key check of another write (FOR KEY
        SHARE of a company it links a person to) does not wait for the move, which may itself
        wait for that write's row."""
        return f"""
            WITH locked AS (
                SELECT r.id, {self._meant()} AS was, ({self._moving()}) AS moving FROM "{self.table}" AS r
                WHERE {self._selected()} ORDER BY r.id FOR NO KEY UPDATE OF r
            ), timed AS (
                SELECT l.*, {self._now("clock_timestamp()")} AS at FROM locked AS l
            ), changed AS (
                UPDATE "{self.table}" AS r SET {self._sets(moving="l.moving", at="l.at")} FROM timed AS l
                WHERE r.id = l.id RETURNING r.id, l.was, l.moving, l.at
            ), logged AS (
                {self._insert()} SELECT {self._entry(record="c.id", was="c.was", at="c.at")}
                FROM changed AS c LEFT JOIN source AS s ON s.id = c.was WHERE c.moving RETURNING 1
            )
            SELECT COUNT(*) AS moved FROM logged"""

    def sqlite_entries(self) -> str:
        """The entries of the rows about to move, written before the UPDATE changes them."""
        was = self._meant()
        return f"""{self._insert()} SELECT {self._entry(record="r.id", was=was, at=self._now())}
            FROM "{self.table}" AS r LEFT JOIN source AS s ON s.id = {self._meant()}
            WHERE r.account_id = {self.sql.uuid(self.account.id)} AND {self._moving()}"""

    def sqlite_update(self) -> str:
        """The rows that move (each index seek on its own: an OR of both kinds of rows would
        have SQLite scan the table)."""
        where = f"r.account_id = {self.sql.uuid(self.account.id)} AND {self._moving()}"
        return f'UPDATE "{self.table}" AS r SET {self._sets(moving=None, at=self._now())} WHERE {where}'

    def sqlite_follow(self) -> str:
        """After `sqlite_update`: the rows whose first source follows, their source unmoved."""
        assert isinstance(self.move.records, OnSources)
        unmoved = f"(r.source_id IS NULL OR NOT (r.source_id {self.sql.uuids(self.move.records.stored)}))"
        where = f"r.account_id = {self.sql.uuid(self.account.id)} AND {self._follow()} AND {unmoved}"
        return f'UPDATE "{self.table}" AS r SET updated_at = {self._now()} WHERE {where}'

    def _selected(self) -> str:
        follow = f" OR {self._follow()}" if self.follows else ""
        return f"r.account_id = {self.sql.uuid(self.account.id)} AND ({self._moving()}{follow})"

    def _moving(self) -> str:
        """The rows whose source the move changes."""
        records, sql = self.move.records, self.sql
        if isinstance(records, OnSources):
            return f"r.source_id {sql.uuids(records.stored)}"
        if isinstance(records, OneRecord):
            return f"r.id = {sql.uuid(records.id)} AND {self._differs()}"
        which = self._differs() if records.overwrite else f"{self._meant()} IS NULL"
        return f"r.company_id = {sql.uuid(records.company_id)} AND {which}"

    def _differs(self) -> str:
        """The rows whose source is not the move's target."""
        meant = self._meant()
        if self.move.to is None:
            return f"{meant} IS NOT NULL"
        return f"({meant} IS NULL OR {meant} <> {self.sql.uuid(self.move.to.id)})"

    def _follow(self) -> str:
        """The rows whose first source is one of the sources moved away from."""
        assert isinstance(self.move.records, OnSources)
        return f"r.first_source_id {self.sql.uuids(self.move.records.stored)}"

    def _meant(self) -> str:
        """The source a row's stored `source_id` means (resolvers/aliases.py). A bulk move off
        sources names its aliases, few and known; a record's or a company's records' move reads
        each row's source (a key lookup per row: they are few)."""
        records = self.move.records
        if not isinstance(records, OnSources):
            return (
                "(SELECT CASE WHEN a.retired_at IS NULL THEN a.id ELSE a.merged_into_id END "
                "FROM source AS a WHERE a.id = r.source_id)"
            )
        if not records.aliases:
            return "r.source_id"
        uuid = self.sql.uuid
        whens = " ".join(f"WHEN {uuid(alias)} THEN {uuid(into)}" for alias, into in records.aliases.items())
        return f"(CASE r.source_id {whens} ELSE r.source_id END)"

    def _to(self) -> str:
        return self.sql.uuid(self.move.to.id if self.move.to else None)

    def _now(self, otherwise: str = "") -> str:
        """The move's time as a parameter, or `otherwise` (an SQL expression) when it has none."""
        return otherwise if self.now is None else self.sql.instant(self.now)

    def _sets(self, *, moving: str | None, at: str) -> str:
        """`moving` tells the rows whose source changes from those whose first source only
        follows (None: every row updated moves); `at` is the time."""
        move, now = self.move, at
        if move.origin is KEEP:
            origin = "r.source_origin"
        else:
            origin = "NULL" if move.origin is None else f"'{move.origin.value}'"
        sets = [
            f"source_origin = {self._when(moving, origin, 'r.source_origin')}",
            f"updated_at = {now}",
        ]
        if self.keeps_ids:
            return ", ".join(sets if move.origin is not KEEP else sets[1:])
        sets.insert(0, f"source_id = {self._when(moving, self._to(), 'r.source_id')}")
        if self.follows:
            follows = self._when(self._follow(), self._to(), "r.first_source_id")
            sets.append(f"first_source_id = {follows}")
        elif move.first is FirstSource.ADOPT and move.to is not None:
            first_time = (
                "r.first_source_at IS NULL" if moving is None else f"{moving} AND r.first_source_at IS NULL"
            )
            sets.append(f"first_source_id = {self._when(first_time, self._to(), 'r.first_source_id')}")
            sets.append(f"first_source_at = {self._when(first_time, now, 'r.first_source_at')}")
        return ", ".join(sets)

    @staticmethod
    def _when(condition: str | None, then: str, otherwise: str) -> str:
        return then if condition is None else f"CASE WHEN {condition} THEN {then} ELSE {otherwise} END"

    def _insert(self) -> str:
        return f"INSERT INTO source_change ({', '.join(ENTRY_COLUMNS)})"

    def _entry(self, *, record: str, was: str, at: str) -> str:
        """An entry's values; `s` is the source it moves away from."""
        sql, to = self.sql, self.move.to
        return (
            f"{sql.uuid(self.account.id)}, '{self.kind.value}', {record}, {at}, "
            f"'{self.move.reason.value}', {sql.uuid(self.by)}, {was}, s.name, {self._to()}, "
            f"{sql.text(to.name if to else None)}"
        )


async def forget(model: type[Model], *, account: Account, record_id: UUID) -> None:
    """A deleted record's entries go with it."""
    await _entries(model, account, record_id).delete()


async def history_page(
    model: type[Model], *, account: Account, record_id: UUID, request: PageRequest
) -> Page[SourceChange]:
    """One record's entries, newest first."""
    return await paginate(_entries(model, account, record_id), request=request, ordering=NEWEST_FIRST)


async def history_pages(
    model: type[Model],
    *,
    account: Account,
    record_ids: Sequence[UUID],
    request: PageRequest,
    count: Callable[[UUID], Awaitable[int]] | None = None,
) -> list[Page[SourceChange]]:
    """The same page (first or last entries, no cursor) of each record, in one statement;
    `count` counts a record's entries (a batched loader) when totalCount is asked for."""
    wanted = list(dict.fromkeys(record_ids))
    statement, params = pages_statement(model, account=account, record_ids=wanted, request=request)
    rows: dict[UUID, list[SourceChange]] = {pk: [] for pk in wanted}
    for row in await _connection().execute_query_dict(statement, params):
        entry = SourceChange._init_from_db(**row)
        rows[as_uuid(entry.record_id)].append(entry)
    return [
        page_of(
            rows[pk],
            filtered=_entries(model, account, pk),
            request=request,
            ordering=NEWEST_FIRST,
            count=None if count is None else partial(count, pk),
        )
        for pk in record_ids
    ]


def pages_statement(
    model: type[Model], *, account: Account, record_ids: Sequence[UUID], request: PageRequest
) -> tuple[str, list[Any]]:
    """The first (or last) size + 1 entries of each record: a window function per record, served
    by the history index."""
    if request.after is not None or request.before is not None:
        raise ValueError("a page from a cursor is one record's (history_page)")
    sql = _Sql(_connection())
    direction = "DESC" if reading_descending(request, NEWEST_FIRST) else "ASC"
    statement = f"""
        SELECT {_columns()} FROM (
            SELECT {_columns()}, ROW_NUMBER() OVER (
                PARTITION BY record_id ORDER BY at {direction}, id {direction}) AS place
            FROM source_change
            WHERE account_id = {sql.uuid(account.id)} AND record_kind = {sql.text(RECORD_KINDS[model].value)}
            AND record_id {sql.uuids(record_ids)}
        ) AS ranked WHERE place <= {sql.param(request.size() + 1, "int")} ORDER BY record_id, place"""
    return statement, sql.params


async def history_counts(
    model: type[Model], *, account: Account, record_ids: Sequence[UUID]
) -> dict[UUID, int]:
    """How many entries each record has: one GROUP BY."""
    counted = (
        await SourceChange.filter(
            account_id=account.id, record_kind=RECORD_KINDS[model], record_id__in=record_ids
        )
        .annotate(n=Count("id"))
        .group_by("record_id")
        .values("record_id", "n")
    )
    found = {as_uuid(row["record_id"]): int(row["n"]) for row in counted}
    return {pk: found.get(pk, 0) for pk in record_ids}


def _entries(model: type[Model], account: Account, record_id: UUID) -> QuerySet[SourceChange]:
    return SourceChange.filter(account_id=account.id, record_kind=RECORD_KINDS[model], record_id=record_id)


@cache
def _columns() -> str:
    return ", ".join(f'"{c}"' for c in SourceChange._meta.db_fields)


def _connection() -> BaseDBAsyncClient:
    connection: BaseDBAsyncClient = connections.get("default")  # in a transaction: its connection
    return connection


class _Sql:
    """Hand-written SQL for either backend: numbered parameters, `?n` on SQLite and `$n::type`
    on PostgreSQL (typed, as PostgreSQL cannot infer the type of a bare parameter). Every
    parameter added must appear in the statement it is passed with."""

    def __init__(self, connection: BaseDBAsyncClient) -> None:
        self.connection = connection
        self.postgres = connection.capabilities.dialect == "postgres"
        self.params: list[Any] = []

    def param(self, value: object, cast: str) -> str:
        self.params.append(value)
        n = len(self.params)
        return f"${n}::{cast}" if self.postgres else f"?{n}"

    def uuid(self, value: UUID | str | None) -> str:
        return self.param(None if value is None else str(value), "uuid")

    def uuids(self, values: Sequence[UUID]) -> str:
        """`IN (…)` over ids: one array parameter on PostgreSQL."""
        if self.postgres:
            return f"= ANY({self.param([str(v) for v in values], 'uuid[]')})"
        return f"IN ({', '.join(self.uuid(v) for v in values) or 'NULL'})"

    def text(self, value: str | None) -> str:
        return self.param(value, "text")

    def instant(self, value: datetime) -> str:
        return self.param(value, "timestamptz")
