"""Bearer tokens: random, shown once, stored as SHA-256 digests, revocable; and the admin rule."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta
from functools import cache
from typing import Any

from tortoise import timezone
from tortoise.expressions import Q
from tortoise.models import Model

from models import Account, ApiToken, Role, User
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
    parts: dict[str, dict[str, Any]] = {"t": {}, "u": {}, "a": {}}
    for name, value in dict(rows[0]).items():
        table, _, column = name.partition(".")
        parts[table][column] = value
    user = User._init_from_db(**parts["u"])
    object.__setattr__(user, "_account", Account._init_from_db(**parts["a"]))  # as select_related sets it
    last_used_at = ApiToken._meta.fields_map["last_used_at"].to_python_value(parts["t"]["last_used_at"])
    now = timezone.now()
    if last_used_at is None or now - last_used_at >= LAST_USE_PRECISION:
        # the condition again in SQL: concurrent requests (and processes) write it once
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USE_PRECISION)
        await ApiToken.filter(stale, id=parts["t"]["id"]).update(last_used_at=now)
    return user


@cache
def _token_sql(sqlite: bool) -> str:
    """The token's id and last use, its user and the user's account, by the token's digest."""
    selected: tuple[tuple[str, type[Model], Iterable[str]], ...] = (
        ("t", ApiToken, ("id", "last_used_at")),
        ("u", User, User._meta.db_fields),
        ("a", Account, Account._meta.db_fields),
    )
    columns = ", ".join(
        f'{alias}."{column}" AS "{alias}.{column}"' for alias, _, names in selected for column in names
    )
    return (
        f'SELECT {columns} FROM "{ApiToken._meta.db_table}" t '
        f'JOIN "{User._meta.db_table}" u ON u."id" = t."user_id" '
        f'JOIN "{Account._meta.db_table}" a ON a."id" = u."account_id" '
        f'WHERE t."token_hash" = {"?" if sqlite else "$1"}'
    )


async def revoke_tokens(*, users: Iterable[User]) -> int:
    """Deletes every token of `users`; a revoked token fails its next request. How many went."""
    return await ApiToken.filter(user_id__in=[u.id for u in users]).delete()


def require_admin(user: User) -> None:
    if user.role != Role.ADMIN:
        raise Forbidden("only an admin may do this")
