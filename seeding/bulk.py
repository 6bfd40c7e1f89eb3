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
