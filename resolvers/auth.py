"""Bearer tokens: random, shown once, stored as SHA-256 digests; and the admin rule."""

from __future__ import annotations

import hashlib
import secrets

from models import ApiToken, Role, User
from resolvers.errors import Forbidden

TOKEN_PREFIX = "trb_"


def hash_token(token: str) -> str:
    # tokens carry 256 random bits, so a fast digest is enough (no password stretching needed)
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(*, user: User) -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    await ApiToken.create(user=user, token_hash=hash_token(token))
    return token


async def authenticate(token: str) -> User | None:
    """The user behind a token, with its account loaded (one query per request)."""
    if not token or len(token) > 200:
        return None
    api_token = await ApiToken.filter(token_hash=hash_token(token)).select_related("user__account").first()
    return api_token.user if api_token else None


def require_admin(user: User) -> None:
    if user.role != Role.ADMIN:
        raise Forbidden("only an admin may do this")
