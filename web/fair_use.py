"""Fair use at the HTTP edge: requests in flight per token, and a time budget per request.

- At most `limit` requests of one token are answered at once; more get 429 TOO_MANY_REQUESTS
  with Retry-After. Per process (each `tributary serve` worker counts its own), keyed by the
  bearer token's digest.
- At most a few requests of one account do their work at once; the others wait their turn.
- Each request's work stops when its time budget is spent (TIMEOUT) or its client hangs up.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from asyncio import FIRST_COMPLETED
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Coroutine
from typing import Any, TypeVar

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from models.read_pool import ReadPool, on_reader
from models.time_limit import budget
from web.auth import SignedIn
from web.refusals import graphql_error_response

RETRY_AFTER_SECONDS = 1
POLL_SECONDS = 0.05  # past a request's deadline: how often to look whether its work is to stop
T = TypeVar("T")


class InFlightLimit:
    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.in_flight: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        caller = scope.get("user")
        if scope["type"] != "http" or not isinstance(caller, SignedIn):
            await self.app(scope, receive, send)
            return
        key = caller.token_digest
        if self.in_flight[key] >= self.limit:
            response = graphql_error_response(
                429,
                f"more than {self.limit} requests of this token at once: retry when one has been answered",
                "TOO_MANY_REQUESTS",
                scope,
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
            await response(scope, receive, send)
            return
        self.in_flight[key] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight[key] -= 1
            if not self.in_flight[key]:
                del self.in_flight[key]


class TimedOut(Exception):
    """The request's work outran its time budget (`seconds`) and was stopped."""

    def __init__(self, seconds: float, *, kept: bool = False) -> None:
        super().__init__(f"stopped after {seconds:g} s")
        self.seconds = seconds
        self.kept = kept  # a write of it was kept (a later one was stopped, or its answer was late)


class ClientGone(Exception):
    """The client hung up; its work was stopped and nothing is sent."""


async def within_budget(
    work: Coroutine[Any, Any, T], *, receive: Receive, seconds: float, bulk_seconds: float | None = None
) -> T:
    """Runs `work` until done, the time budget is spent (TimedOut) or the client hangs up (ClientGone).

    The budget is `seconds`, or `bulk_seconds` once the work starts a bulk move; a write that
    commits is not stopped, and its answer has a grace past the deadline (models/time_limit.py).
    Stopping cancels the task (asyncpg then cancels the statement on the server) and marks the
    budget spent (SQLite's progress handler then aborts the statement in the worker thread).
    """
    with budget(seconds, bulk_seconds=bulk_seconds) as spent:
        task = asyncio.ensure_future(work)  # copies the context: the statements see the budget
        hangup = asyncio.ensure_future(_disconnected(receive))
        try:
            done: set[asyncio.Future[Any]] = set()
            while not done and not spent.spent():
                # when the work is to stop moves as a bulk move starts and as writes begin, commit
                # and end: wake at the deadline, then every POLL_SECONDS while it is past
                now = time.monotonic()
                wake = spent.deadline - now if now < spent.deadline else POLL_SECONDS
                left = min(spent.stops_at() - now, wake)
                done, _ = await asyncio.wait({task, hangup}, timeout=left, return_when=FIRST_COMPLETED)
        finally:
            hangup.cancel()
        if task in done and (spent.kept or not spent.spent()):
            return task.result()
        spent.cancelled = True
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        raise ClientGone() if hangup in done else TimedOut(spent.seconds, kept=spent.kept)


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


class AccountGate:
    """At most `limit` requests of one account do their work at once (per process).

    The others wait their turn, inside their own time budget, so a burst of one account cannot
    occupy every database connection while another account's request waits behind it.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._gates: dict[str, asyncio.Semaphore] = {}
        self._holders: Counter[str] = Counter()

    @contextlib.asynccontextmanager
    async def turn(self, account_id: str) -> AsyncIterator[None]:
        gate = self._gates.setdefault(account_id, asyncio.Semaphore(self.limit))
        self._holders[account_id] += 1
        try:
            async with gate:
                yield
        finally:
            self._holders[account_id] -= 1
            if not self._holders[account_id]:
                del self._holders[account_id]
                del self._gates[account_id]


async def fair_turn(request: HTTPConnection, work: Awaitable[T], *, account_id: str, reads_only: bool) -> T:
    """`work` once the account's turn comes, on a read connection of its own when it only reads."""
    gate: AccountGate = request.app.state.account_gate
    pool: ReadPool | None = request.app.state.read_pool
    async with gate.turn(account_id):
        return await on_reader(pool, work) if reads_only else await work
