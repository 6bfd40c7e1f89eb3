"""Fair use at the HTTP edge: requests in flight per token, and a time budget per request.

- At most `limit` requests of one token are answered at once; more get 429 TOO_MANY_REQUESTS
  with Retry-After. Per process (each `tributary serve` worker counts its own), keyed by the
  bearer token's digest.
- Each request's work stops when its time budget is spent (TIMEOUT) or its client hangs up.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Coroutine
from typing import Any, TypeVar

from starlette.types import ASGIApp, Receive, Scope, Send

from models.time_limit import budget
from web.auth import SignedIn
from web.refusals import graphql_error_response

RETRY_AFTER_SECONDS = 1
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
    """The request's work outran its time budget and was stopped."""


class ClientGone(Exception):
    """The client hung up; its work was stopped and nothing is sent."""


async def within_budget(work: Coroutine[Any, Any, T], *, receive: Receive, seconds: float) -> T:
    """Runs `work` until done, the time budget is spent (TimedOut) or the client hangs up (ClientGone).

    Stopping cancels the task (asyncpg then cancels the statement on the server) and marks the
    budget spent (SQLite's progress handler then aborts the statement in the worker thread).
    """
    with budget(seconds) as spent:
        task = asyncio.ensure_future(work)  # copies the context: the statements see the budget
        hangup = asyncio.ensure_future(_disconnected(receive))
        try:
            done, _ = await asyncio.wait({task, hangup}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            hangup.cancel()
        if task in done and not spent.spent():
            return task.result()
        spent.cancelled = True
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        raise ClientGone() if hangup in done else TimedOut()


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
