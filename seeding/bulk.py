"""Fast inserts of many rows, one batch per statement: executemany on SQLite, COPY on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import connections
from tortoise.transactions import in_transaction


def _is_sqlite(conn: BaseDBAsyncClient) -> bool:
    return conn.capabilities.dialect == "sqlite"


async def insert_rows(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Inserts `rows` in one transaction. Values are plain Python (str ids, aware datetimes, ints)."""
    if not rows:
        return
    conn = connections.get("default")
    if _is_sqlite(conn):
        marks = ", ".join("?" * len(columns))
        names = ", ".join(f'"{c}"' for c in columns)
        async with in_transaction() as tx:
            await tx.execute_many(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)  # type: ignore[arg-type]
        return
    async with conn.acquire_connection() as raw:
        await raw.copy_records_to_table(table, records=rows, columns=list(columns))


# A loaded record's history, from its columns (seeding/synthetic.py): the creation entry, and the
# edit of records changed since (updated_at later than created_at), both by the owner.
_ENTRIES = """
INSERT INTO source_change (account_id, record_kind, record_id, at, reason, by_id,
                           from_source_id, from_name, to_source_id, to_name)
SELECT r.account_id, '{kind}', r.id, r.created_at,
       CASE WHEN r.source_origin = 'INHERITED' THEN 'INHERITED' ELSE 'CREATED' END, r.owner_id,
       NULL, NULL, r.first_source_id, f.name
FROM "{table}" AS r JOIN source AS f ON f.id = r.first_source_id WHERE r.id {ids}
UNION ALL
SELECT r.account_id, '{kind}', r.id, r.updated_at, 'EDITED', r.owner_id,
       r.first_source_id, f.name, r.source_id, s.name
FROM "{table}" AS r JOIN source AS f ON f.id = r.first_source_id LEFT JOIN source AS s ON s.id = r.source_id
WHERE r.id {ids} AND r.updated_at > r.created_at"""


async def last_rowid(table: str) -> int | None:
    """SQLite: the rowid the next loaded row of `table` comes after (None on PostgreSQL)."""
    conn = connections.get("default")
    if not _is_sqlite(conn):
        return None
    rows = await conn.execute_query_dict(f'SELECT COALESCE(MAX(rowid), 0) AS last FROM "{table}"')
    return int(rows[0]["last"])


async def history_of(table: str, kind: str, *, after_rowid: int | None, ids: list[str]) -> None:
    """The history entries of the records `ids` just loaded: one INSERT … SELECT. SQLite finds
    them as the rows after `after_rowid` (a range, 3 times faster than looking up each id)."""
    conn = connections.get("default")
    if _is_sqlite(conn):
        where = "IS NOT NULL AND r.rowid > ?1"
        await conn.execute_query(_ENTRIES.format(kind=kind, table=table, ids=where), [after_rowid])
        return
    await conn.execute_query(_ENTRIES.format(kind=kind, table=table, ids="= ANY($1::uuid[])"), [ids])


async def prepare_bulk_load() -> None:
    """SQLite: a large page cache (random UUID keys touch every index page) and no fsync per batch.

    Pragmas last for this connection only, i.e. for the seeding command; a crash mid-seed can
    lose the seeded rows, never the database.
    """
    conn = connections.get("default")
    if _is_sqlite(conn):
        await conn.execute_script("PRAGMA cache_size = -1000000; PRAGMA synchronous = OFF;")


@asynccontextmanager
async def indexes_rebuilt_after(tables: Sequence[str]) -> AsyncIterator[None]:
    """SQLite: drop the secondary indexes of `tables`, load, then build them again in one sorted pass.

    Building an index once is several times faster than updating it row by row with random UUID
    keys. The indexes come back even when the load fails.
    """
    conn = connections.get("default")
    if not _is_sqlite(conn):
        yield
        return
    marks = ", ".join("?" * len(tables))
    indexes = await conn.execute_query_dict(
        "SELECT name, sql FROM sqlite_master "
        f"WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",
        list(tables),
    )
    for index in indexes:
        await conn.execute_script(f'DROP INDEX "{index["name"]}"')
    try:
        yield
    finally:
        for index in indexes:
            await conn.execute_script(index["sql"])


async def analyze() -> None:
    """Fresh planner statistics after a bulk load, so the covering indexes get chosen.

    PostgreSQL: `VACUUM ANALYZE`, because rows loaded by COPY are not yet marked all-visible: until
    (auto)vacuum sets the visibility map, an "index-only" scan visits the table for every row, and
    the planner rightly prefers parallel sequential scans for the statistics.
    """
    conn = connections.get("default")
    await conn.execute_script("ANALYZE" if _is_sqlite(conn) else "VACUUM ANALYZE")
