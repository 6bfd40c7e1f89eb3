"""SQLite: read-only requests run on a small pool of their own connections.

Tortoise keeps one SQLite connection per process and serialises every statement on it, so one
account's long read (a `search` scan over 300,000 persons) made every other account's request
wait. In WAL mode readers do not block each other or the writer: a query operation borrows the
least busy of a few read-only connections (`PRAGMA query_only`) for its whole run, through
Tortoise's own per-task connection override, while mutations and authentication keep the one
writer. PostgreSQL needs none of this (its pool already runs statements side by side).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import connections

from models.time_limit import install_sqlite_budget

READERS = 4
T = TypeVar("T")


class ReadPool:
    def __init__(self, readers: list[BaseDBAsyncClient]) -> None:
        self.readers = readers
        self.busy = [0] * len(readers)

    @classmethod
    async def open(cls, alias: str = "default", size: int = READERS) -> ReadPool | None:
        """A pool beside the SQLite connection `alias` (None on other backends)."""
        writer: Any = connections.get(alias)
        if writer.capabilities.dialect != "sqlite":
            return None
        readers = []
        for _ in range(size):
            reader = type(writer)(
                file_path=writer.filename, connection_name=alias, **writer.pragmas, query_only="ON"
            )
            async with reader.acquire_connection() as raw:
                await install_sqlite_budget(raw)
            readers.append(reader)
        return cls(readers)

    async def close(self) -> None:
        for reader in self.readers:
            await reader.close()

    @asynccontextmanager
    async def reading(self, alias: str = "default") -> AsyncIterator[None]:
        """Every statement inside the block (this task and the ones it starts) uses one reader."""
        index = min(range(len(self.readers)), key=self.busy.__getitem__)
        self.busy[index] += 1
        token = connections.set(alias, self.readers[index])
        try:
            yield
        finally:
            connections.reset(token)
            self.busy[index] -= 1


async def on_reader(pool: ReadPool | None, work: Awaitable[T]) -> T:
    """`work` on a reader of `pool`, or as it is without a pool (PostgreSQL)."""
    if pool is None:
        return await work
    async with pool.reading():
        return await work
