"""A time budget per request that really stops its database work.

The GraphQL endpoint opens a `Budget` for each request (deadline, or cancelled when the client
hangs up). On PostgreSQL, cancelling the request's task makes asyncpg cancel the running
statement on the server. On SQLite, statements run in aiosqlite's worker thread, beyond the reach
of task cancellation: each statement is tagged with the budget of the request that sent it, and a
progress handler aborts it as soon as that budget is spent ("interrupted"), so the next
request's statements do not wait behind it. A document that is one deleteSource or mergeSources
gets a longer budget once its move has begun (`lengthen_for_bulk_move`).

A client is not told TIMEOUT about a write that was kept (`write`): only the client hanging up
stops a write while it commits (SQLite's COMMIT cannot be interrupted, and a cancel reaching
PostgreSQL during COMMIT would leave the outcome unknown), and once a write is kept its request
has ANSWER_GRACE past the deadline to answer it. What that lets a request do past its deadline
stays bounded: a write does not begin after it (checked where writes begin), and the waits and
statements of a write that has not begun to commit still stop at it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import aiosqlite

PROGRESS_STEPS = 20_000  # SQLite virtual-machine steps between checks (well under a millisecond)
ANSWER_GRACE = 1.0  # seconds past its deadline a request has to answer a write it kept


@dataclass
class Budget:
    started: float  # time.monotonic()
    seconds: float  # the request's budget; a bulk move may lengthen it to `bulk_seconds`
    bulk_seconds: float | None = None
    cancelled: bool = False
    writing: int = 0  # writes of the request under way (`write`)
    committing: bool = False  # one of them is committing: nothing stops it
    kept: bool = False  # a write of the request was kept
    answer_by: float = 0.0  # the time its answer may take, past the deadline, once `kept`

    @property
    def deadline(self) -> float:
        return self.started + self.seconds

    def stops_at(self) -> float:
        """When the request's work is to stop: never while a write commits; at the deadline
        while a write is under way; otherwise the deadline or, after a kept write, its grace."""
        if self.committing:
            return math.inf
        return self.deadline if self.writing else max(self.deadline, self.answer_by)

    def spent(self) -> bool:
        return self.cancelled or time.monotonic() >= self.stops_at()

    def overdue(self) -> bool:
        """Past the deadline (a request answering a kept write may be, and not be spent)."""
        return time.monotonic() >= self.deadline


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


@contextmanager
def write() -> Iterator[Callable[[], None]]:
    """A write (transaction) of the running request, for the block: call the `commit()` it
    yields right before it commits. From then only a hang-up stops it; when the block ends
    without an error the write is kept, and the request has ANSWER_GRACE past its deadline to
    answer. A write inside another is part of that one: its `commit()` does nothing. Outside a
    request nothing changes."""
    current = _current.get()
    if current is None:
        yield lambda: None
        return

    outermost = not current.writing

    def commit() -> None:
        if outermost:
            current.committing = not current.cancelled

    current.writing += 1
    try:
        yield commit
        if current.committing:
            current.kept = True
            current.answer_by = time.monotonic() + ANSWER_GRACE
    finally:
        if outermost:
            current.committing = False
        current.writing -= 1


def overdue() -> bool:
    """Whether the running request is past its deadline."""
    current = _current.get()
    return current is not None and current.overdue()


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
