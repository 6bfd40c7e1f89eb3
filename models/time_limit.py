"""A time budget per request that really stops its database work.

The GraphQL endpoint opens a `Budget` for each request (deadline, or cancelled when the client
hangs up). On PostgreSQL, cancelling the request's task makes asyncpg cancel the running
statement on the server. On SQLite, statements run in aiosqlite's worker thread, beyond the reach
of task cancellation: each statement is tagged with the budget of the request that sent it, and a
progress handler aborts it as soon as that budget is spent ("interrupted"), so the next
request's statements do not wait behind it. A document that is one deleteSource or mergeSources
gets a longer budget once its move has begun (`lengthen_for_bulk_move`).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import aiosqlite

PROGRESS_STEPS = 20_000  # SQLite virtual-machine steps between checks (well under a millisecond)


@dataclass
class Budget:
    started: float  # time.monotonic()
    seconds: float  # the request's budget; a bulk move may lengthen it to `bulk_seconds`
    bulk_seconds: float | None = None
    cancelled: bool = False

    @property
    def deadline(self) -> float:
        return self.started + self.seconds

    def spent(self) -> bool:
        return self.cancelled or time.monotonic() >= self.deadline


_current: ContextVar[Budget | None] = ContextVar("tributary_budget", default=None)


@contextmanager
def budget(seconds: float, *, bulk_seconds: float | None = None) -> Iterator[Budget]:
    """The budget of the work done inside the block (and of the tasks it starts): `seconds`,
    or `bulk_seconds` from the start once it runs a bulk move (`lengthen_for_bulk_move`)."""
    spent = Budget(started=time.monotonic(), seconds=seconds, bulk_seconds=bulk_seconds)
    token = _current.set(spent)
    try:
        yield spent
    finally:
        _current.reset(token)


def lengthen_for_bulk_move() -> None:
    """The running request has begun a bulk move of sources (deleteSource or mergeSources, which
    may rewrite much of a table): its budget becomes the bulk budget, if it has one (the HTTP
    edge gives one only to a document that is that one mutation), that is longer, and the
    request's is not spent yet. Outside a request (the CLI, tests) nothing changes."""
    current = _current.get()
    if current is not None and current.bulk_seconds is not None and not current.spent():
        current.seconds = max(current.seconds, current.bulk_seconds)


async def install_sqlite_budget(connection: aiosqlite.Connection) -> None:
    """Tags each statement sent on `connection` with its request's budget; aborts spent ones."""
    running: list[Budget | None] = [None]  # the budget of the statement in the worker thread
    submit: Callable[..., Awaitable[Any]] = connection._execute

    async def execute(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        owner = _current.get()
        if owner is None:
            return await submit(fn, *args, **kwargs)

        def tagged(*a: Any, **k: Any) -> Any:
            running[0] = owner
            try:
                return fn(*a, **k)
            finally:
                running[0] = None

        return await submit(tagged, *args, **kwargs)

    def progress() -> int:
        owner = running[0]
        return 1 if owner is not None and owner.spent() else 0

    connection._execute = execute  # type: ignore[method-assign]
    await connection.set_progress_handler(progress, PROGRESS_STEPS)
