"""Bearer authentication, once per request, as Starlette's AuthenticationMiddleware backend.

`request.user` is a `SignedIn` (with the Tortoise user, its account loaded) or Starlette's
`UnauthenticatedUser`; each route decides what an anonymous caller may see.
"""

from __future__ import annotations

from starlette.authentication import AuthCredentials, AuthenticationBackend, BaseUser
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response

from models import User
from resolvers.auth import authenticate, hash_token


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
    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        token = bearer_token(conn.headers)
        user = await authenticate(token) if token else None
        if user is None:
            return None
        return AuthCredentials(["authenticated"]), SignedIn(user, hash_token(token))


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
