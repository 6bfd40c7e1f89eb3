"""How concurrent writes are kept apart: a few locks, always taken in one order.

The order: the account's source-list lock, the account row, sources (in id order), records.
Whoever takes two of them takes them in that order, so no two transactions wait for each other.

- SQLite (one server process): Tortoise runs one transaction at a time on the process's single
  connection, so the row locks here are no-ops. `write_transaction` takes SQLite's write lock
  with its first statement, so a transaction that reads before it writes cannot fail with
  "database is locked" when another process (the CLI) writes meanwhile.
- PostgreSQL (several processes):
  - `lock_source_list`: a transaction-scoped advisory lock per account. Every change to the
    account's list of sources (create, reorder, archive, restore, delete, merge) and
    applyCompanySource take it, so they run one at a time per account: positions stay
    distinct, and two merges or deletes cannot deadlock whatever ids they name.
  - `lock_sources`: SELECT … FOR UPDATE of the sources a delete or merge touches, in id order,
    returning those that still exist (the re-check inside the locked transaction).
  - `refresh_switches`: re-reads the account's switches FOR SHARE inside a write that may
    assign a source, so updateSourceSettings waits for such writes in flight and every later
    one sees its result.
  - `share_sources`: FOR KEY SHARE on the sources a write assigns or moves a record away from
    (its history entry refers to both): a delete, merge or archive of them (which lock them FOR
    UPDATE first) waits for the write to commit, and the write waits for them (and then sees
    their result). Renames and the position updates of a delete or merge take weaker locks that
    do not wait for such writes: a merge renumbering a source that an edit holds while the edit
    waits for the merged source would deadlock. An edit takes its sources in id order before
    it locks the record (`current_sources_of`), as the order above says: the record's source,
    the chosen one and the record's first source. The first source too, because a row written
    twice in one transaction (an edit's move, then its other fields) has all its foreign keys
    checked again, which takes the first source FOR KEY SHARE: taken only then, it would wait
    for a merge of that source that itself waits for the locked record.
  - Records a write changes but keeps (an edit's, a move's) are locked FOR NO KEY UPDATE, the
    lock an UPDATE takes anyway: they wait for each other, but another write's foreign key
    check (FOR KEY SHARE, e.g. of the company it links a person to) does not wait for them, so a
    merge that moved that company and then waits for the person cannot deadlock with it.
  - `lock_record`: FOR UPDATE on a record being deleted: a write that would link a record to it
    (its foreign key check) waits, and then fails as the record is gone.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import connections
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models import Account, Source, time_limit
from resolvers.errors import OutOfTime
from resolvers.ids import as_uuid, as_uuid_or_none

# an UPDATE that changes nothing still takes SQLite's write lock when it starts
_SQLITE_WRITE_LOCK = "UPDATE account SET sources_enabled = sources_enabled WHERE 0"
# first key of the two-key advisory locks: "trib", so other users of advisory locks do not collide
_ADVISORY_NAMESPACE = 0x74726962


def _connection() -> BaseDBAsyncClient:
    connection: BaseDBAsyncClient = connections.get("default")  # in a transaction: its connection
    return connection


def _on_postgres() -> bool:
    return _connection().capabilities.dialect == "postgres"


@asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """A transaction, the way every write of a request is made (one of a single statement too);
    on SQLite it holds the database's write lock from its first statement. It does not begin
    once the request's time is up (OutOfTime); until it commits, its waits and statements stop
    at the deadline and roll it back; once it begins to commit nothing but the client hanging
    up stops it, and its request is answered (models/time_limit.py).
    """
    if time_limit.overdue():
        # a request past its deadline runs on only to answer a write it kept (models/time_limit.py)
        raise OutOfTime("the request ran out of time before this write began; nothing of it was written")
    with time_limit.write() as commit:
        async with in_transaction() as tx:
            if tx.capabilities.dialect == "sqlite":
                await tx.execute_query(_SQLITE_WRITE_LOCK)
            yield
            commit()  # the transaction commits next


async def lock_source_list(account: Account) -> None:
    """Changes to this account's list of sources run one at a time until the transaction ends."""
    if _on_postgres():
        key = zlib.crc32(as_uuid(account.id).bytes) - 2**31  # a signed 32-bit key
        await _connection().execute_query(
            "SELECT pg_advisory_xact_lock($1::int, $2::int)", [_ADVISORY_NAMESPACE, key]
        )


async def lock_sources(account: Account, ids: Iterable[UUID]) -> dict[UUID, HeldSource]:
    """The live sources of `ids` in the account, locked in id order until the end."""
    wanted = sorted(set(ids))
    if not _on_postgres():
        rows = await Source.filter(account=account, id__in=wanted).values("id", "name", "archived_at")
    else:
        rows = await _connection().execute_query_dict(
            "SELECT id, name, archived_at FROM source WHERE account_id = $1::uuid AND id = ANY($2::uuid[]) "
            "AND retired_at IS NULL "
            "ORDER BY id FOR UPDATE",
            [str(account.id), [str(i) for i in wanted]],
        )
    return _held(rows)


async def refresh_switches(account: Account) -> None:
    """Re-reads the account's source switches into `account`, held (FOR SHARE) until the end."""
    if _on_postgres():
        rows = await _connection().execute_query_dict(
            "SELECT sources_enabled, inherit_from_company FROM account WHERE id = $1::uuid FOR SHARE",
            [str(account.id)],
        )
    else:
        rows = await Account.filter(id=account.id).values("sources_enabled", "inherit_from_company")
    if rows:
        account.sources_enabled = bool(rows[0]["sources_enabled"])
        account.inherit_from_company = bool(rows[0]["inherit_from_company"])


@dataclass(frozen=True)
class HeldSource:
    id: UUID
    name: str
    archived_at: datetime | None

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


async def share_source(account: Account, source_id: UUID) -> HeldSource | None:
    """The account's source `source_id`, held (FOR KEY SHARE) until the end; None when it does not exist."""
    return (await share_sources(account, [source_id])).get(source_id)


async def share_sources(account: Account, ids: Iterable[UUID]) -> dict[UUID, HeldSource]:
    """The account's live sources among `ids`, held (FOR KEY SHARE) in id order until the end."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    if _on_postgres():
        rows = await _connection().execute_query_dict(
            "SELECT id, name, archived_at FROM source WHERE account_id = $1::uuid AND id = ANY($2::uuid[]) "
            "AND retired_at IS NULL "
            "ORDER BY id FOR KEY SHARE",
            [str(account.id), [str(i) for i in wanted]],
        )
    else:
        rows = await Source.filter(id__in=wanted, account=account).values("id", "name", "archived_at")
    return _held(rows)


def _held(rows: Iterable[dict[str, Any]]) -> dict[UUID, HeldSource]:
    held = (HeldSource(id=as_uuid(r["id"]), name=r["name"], archived_at=r["archived_at"]) for r in rows)
    return {h.id: h for h in held}


async def current_sources_of(
    model: type[Model], account: Account, record_id: UUID
) -> tuple[bool, UUID | None, UUID | None]:
    """(whether the record exists, its source, its first source), the record locked (FOR NO KEY
    UPDATE) until the end."""
    if _on_postgres():
        rows = await _connection().execute_query_dict(
            f'SELECT source_id, first_source_id FROM "{model._meta.db_table}" '
            "WHERE id = $1::uuid AND account_id = $2::uuid FOR NO KEY UPDATE",
            [str(record_id), str(account.id)],
        )
    else:
        rows = await model.filter(id=record_id, account=account).values("source_id", "first_source_id")
    if not rows:
        return False, None, None
    return True, as_uuid_or_none(rows[0]["source_id"]), as_uuid_or_none(rows[0]["first_source_id"])


async def lock_record(model: type[Model], account: Account, record_id: UUID) -> bool:
    """Whether the account's record exists, locked (FOR UPDATE) until the end if it does."""
    if _on_postgres():
        rows = await _connection().execute_query_dict(
            f'SELECT 1 FROM "{model._meta.db_table}" '
            "WHERE id = $1::uuid AND account_id = $2::uuid FOR UPDATE",
            [str(record_id), str(account.id)],
        )
        return bool(rows)
    return await model.filter(id=record_id, account=account).exists()
