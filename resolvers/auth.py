"""Bearer tokens: random, shown once, stored as SHA-256 digests, revocable; and the admin rule."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from tortoise import timezone
from tortoise.expressions import Q

from models import ApiToken, Role, User
from resolvers.errors import Forbidden

TOKEN_PREFIX = "trb_"

# how stale a token's `last_used_at` may get: one write per token and minute at most, so
# authenticating stays one indexed read on nearly every request
LAST_USE_PRECISION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    # tokens carry 256 random bits, so a fast digest is enough (no password stretching needed)
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(*, user: User) -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    await ApiToken.create(user=user, token_hash=hash_token(token))
    return token


async def authenticate(token: str) -> User | None:
    """The user behind a token, with its account loaded: one read per request, plus a write
    of the token's last use when the stored one is a minute old or more."""
    if not token or len(token) > 200:
        return None
    api_token = await ApiToken.filter(token_hash=hash_token(token)).select_related("user__account").first()
    if api_token is None:
        return None
    now = timezone.now()
    if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USE_PRECISION:
        # the condition again in SQL: concurrent requests (and processes) write it once
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USE_PRECISION)
        await ApiToken.filter(stale, id=api_token.id).update(last_used_at=now)
    return api_token.user


async def revoke_tokens(*, users: Iterable[User]) -> int:
    """Deletes every token of `users`; a revoked token fails its next request. How many went."""
    return await ApiToken.filter(user_id__in=[u.id for u in users]).delete()


def require_admin(user: User) -> None:
    if user.role != Role.ADMIN:
        raise Forbidden("only an admin may do this")
