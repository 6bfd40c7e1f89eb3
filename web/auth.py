"""Bearer authentication, once per request, as Starlette's AuthenticationMiddleware backend.

`request.user` is a `SignedIn` (with the Tortoise user, its account loaded) or Starlette's
`UnauthenticatedUser`; each route decides what an anonymous caller may see.

On SQLite the token is read on a connection of the read pool (models/read_pool.py), not on the
one writer, and its last use is written by a task of its own that the request waits for at most
LAST_USE_WAIT: while another account's long write holds the writer (a merge of a large source
may take seconds), every other account's reads are still answered. A use not yet written when
the process stops is lost; it is kept to the minute anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from uuid import UUID

from starlette.authentication import AuthCredentials, AuthenticationBackend, BaseUser
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response

from models import User
from models.read_pool import on_reader
from resolvers.auth import find_token, hash_token, record_use

LAST_USE_WAIT = 0.1  # seconds a request waits for its token's last use to be written
logger = logging.getLogger("tributary")


class SignedIn(BaseUser):
    def __init__(self, user: User, token_digest: str) -> None:
        self.user = user
        self.token_digest = token_digest  # what per-token limits count by

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.user.name


def bearer_token(headers: Headers) -> str:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class BearerTokens(AuthenticationBackend):
    def __init__(self) -> None:
        self.uses = LastUses()

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        token = bearer_token(conn.headers)
        if not token:
            return None
        bearer = await on_reader(conn.app.state.read_pool, find_token(token))
        if bearer is None:
            return None
        if bearer.use_is_stale:
            await self.uses.record(bearer.token_id)
        return AuthCredentials(["authenticated"]), SignedIn(bearer.user, hash_token(token))


class LastUses:
    """Writes of tokens' last uses, each in a task of its own (one per token at a time)."""

    def __init__(self) -> None:
        self.pending: dict[UUID, asyncio.Task[None]] = {}

    async def record(self, token_id: UUID) -> None:
        """Starts the write (unless one of this token is pending) and waits LAST_USE_WAIT for it."""
        task = self.pending.get(token_id)
        if task is None:
            task = asyncio.create_task(record_use(token_id))
            self.pending[token_id] = task
            task.add_done_callback(lambda done: self._finished(token_id, done))
        with contextlib.suppress(Exception):  # a timeout, or a failed write (logged)
            await asyncio.wait_for(asyncio.shield(task), LAST_USE_WAIT)

    def _finished(self, token_id: UUID, task: asyncio.Task[None]) -> None:
        del self.pending[token_id]
        if not task.cancelled() and task.exception() is not None:
            logger.warning("could not write a token's last use: %s", task.exception())

    async def drain(self) -> None:
        """Waits for the pending writes (at shutdown, before the database closes)."""
        await asyncio.gather(*self.pending.values(), return_exceptions=True)


def signed_in_user(conn: HTTPConnection) -> User | None:
    """The caller behind the request's bearer token, or None."""
    caller = conn.user
    return caller.user if isinstance(caller, SignedIn) else None


def unauthenticated() -> Response:
    return JSONResponse(
        {
            "data": None,
            "errors": [
                {"message": "a valid bearer token is required", "extensions": {"code": "UNAUTHENTICATED"}}
            ],
        },
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )
