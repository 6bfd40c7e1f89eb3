"""While the database is unreachable, every request gets 503 with Retry-After, as a GraphQL error.

"Unreachable" is recognised in one place, by the exception (or what it was raised from): the
connection was refused, dropped or is shutting down, on either backend. Anything else stays an
INTERNAL_SERVER_ERROR. The pool reconnects by itself once the database is back.
"""

from __future__ import annotations

import logging
import sqlite3

import asyncpg
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tortoise.exceptions import DBConnectionError

from web.refusals import graphql_error_response

logger = logging.getLogger("tributary")

RETRY_AFTER_SECONDS = 5
UNREACHABLE: tuple[type[BaseException], ...] = (
    ConnectionError,  # refused, reset, aborted
    TimeoutError,
    DBConnectionError,
    asyncpg.PostgresConnectionError,  # connection does not exist, cannot connect now, ...
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.InterfaceError,  # "connection is closed"
)


def database_unreachable(error: BaseException | None) -> bool:
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, UNREACHABLE):
            return True
        if isinstance(error, sqlite3.OperationalError) and "unable to open" in str(error):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def service_unavailable_response(scope: Scope) -> Response:
    return graphql_error_response(
        503,
        "the database is unreachable; retry shortly",
        "SERVICE_UNAVAILABLE",
        scope,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


class DatabaseUnavailable:
    """Turns an unreachable database anywhere below (authentication included) into a 503."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as error:
            if started or not database_unreachable(error):
                raise
            logger.warning("database unreachable: %s", error)
            await service_unavailable_response(scope)(scope, receive, send)
