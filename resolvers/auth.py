"""Bearer tokens: random, shown once, stored as SHA-256 digests, revocable; and the admin rule."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta
from functools import cache
from typing import Any, TypeVar

from tortoise import timezone
from tortoise.expressions import Q
from tortoise.models import Model

from models import Account, ApiToken, Role, User
from resolvers.errors import Forbidden

M = TypeVar("M", bound=Model)

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
    of the token's last use when the stored one is a minute old or more.

    The read is one statement written once (`_token_sql`), so PostgreSQL runs it prepared
    (asyncpg caches the statement per connection) and nothing rebuilds it per request. It reads
    the database every time: a revoked token fails its very next request, in every process.
    """
    if not token or len(token) > 200:
        return None
    db = ApiToken._meta.db
    sqlite = db.capabilities.dialect == "sqlite"
    _, rows = await db.execute_query(_token_sql(sqlite), [hash_token(token)])
    if not rows:
        return None
    row = dict(rows[0])
    api_token = _from_row(ApiToken, "t", row)
    user = _from_row(User, "u", row)
    object.__setattr__(user, "_account", _from_row(Account, "a", row))  # as select_related sets it
    now = timezone.now()
    if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USE_PRECISION:
        # the condition again in SQL: concurrent requests (and processes) write it once
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USE_PRECISION)
        await ApiToken.filter(stale, id=api_token.id).update(last_used_at=now)
    return user


_TABLES = (("t", ApiToken), ("u", User), ("a", Account))


@cache
def _token_sql(sqlite: bool) -> str:
    """The token, its user and the user's account, by the token's digest, in one statement."""
    columns = ", ".join(
        f'{alias}."{column}" AS "{alias}.{column}"'
        for alias, model in _TABLES
        for column in model._meta.db_fields
    )
    return (
        f'SELECT {columns} FROM "{ApiToken._meta.db_table}" t '
        f'JOIN "{User._meta.db_table}" u ON u."id" = t."user_id" '
        f'JOIN "{Account._meta.db_table}" a ON a."id" = u."account_id" '
        f'WHERE t."token_hash" = {"?" if sqlite else "$1"}'
    )


def _from_row(model: type[M], alias: str, row: dict[str, Any]) -> M:
    prefix = f"{alias}."
    return model._init_from_db(**{k[len(prefix) :]: v for k, v in row.items() if k.startswith(prefix)})


async def revoke_tokens(*, users: Iterable[User]) -> int:
    """Deletes every token of `users`; a revoked token fails its next request. How many went."""
    return await ApiToken.filter(user_id__in=[u.id for u in users]).delete()


def require_admin(user: User) -> None:
    if user.role != Role.ADMIN:
        raise Forbidden("only an admin may do this")
