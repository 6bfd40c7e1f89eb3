"""Rows as an older version wrote them, and plain reads of them, for the migration tests."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from tortoise.connection import connections
from tortoise.context import TortoiseContext
from tortoise.migrations.api.migrate import migrate

from models.config import tortoise_config
from tests.conftest import POSTGRES_URL

Row = tuple[str, dict[str, Any]]  # a table and its columns' values


async def insert_as_of(url: str, migration: str, rows: Sequence[Row]) -> None:
    """Migrates the empty database at `url` up to `migration` (e.g. "models.0005_…") and inserts
    `rows` in plain SQL; id columns given as strings are sent as UUIDs on PostgreSQL."""
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        await migrate(config=tortoise_config(url), target=migration)
        conn = connections.get("default")
        for table, values in rows:
            marks = [f"${i}" if POSTGRES_URL else "?" for i in range(1, len(values) + 1)]
            names = ", ".join(f'"{c}"' for c in values)
            parameters = [
                uuid.UUID(v) if POSTGRES_URL and c.endswith("id") and isinstance(v, str) else v
                for c, v in values.items()
            ]
            statement = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(marks)})'
            await conn.execute_query(statement, parameters)


async def query(url: str, sql: str) -> list[dict[str, Any]]:
    """`sql` run on the database at `url` as it is (no migration); its rows."""
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        return list(await connections.get("default").execute_query_dict(sql))
