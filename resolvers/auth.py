"""Bearer tokens: random, shown once, stored as SHA-256 digests, revocable; and the admin rule."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any
from uuid import UUID

from tortoise import timezone
from tortoise.expressions import Q
from tortoise.models import Model

from models import Account, ApiToken, Role, User
from resolvers.errors import Forbidden
from resolvers.locks import write_transaction

TOKEN_PREFIX = "trb_"

# how stale a token's `last_used_at` may get: one write per token and minute at most, so
# authenticating stays one indexed read on nearly every request
LAST_USE_PRECISION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    # tokens carry 256 random bits, so a fast digest is enough (no password stretching needed)
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(*, user: User) -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with write_transaction():
        await ApiToken.create(user=user, token_hash=hash_token(token))
    return token


@dataclass(frozen=True)
class Bearer:
    """The user behind a token (its account loaded), and whether its use is to be written."""

    user: User
    token_id: UUID
    use_is_stale: bool  # the stored last use is LAST_USE_PRECISION old or more (or none)


async def find_token(token: str) -> Bearer | None:
    """The bearer of `token`: one read, no write (`record_use` writes the use).

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
    stale = last_used_at is None or timezone.now() - last_used_at >= LAST_USE_PRECISION
    token_id = ApiToken._meta.pk.to_python_value(parts["t"]["id"])
    return Bearer(user=user, token_id=token_id, use_is_stale=stale)


async def record_use(token_id: UUID) -> None:
    """Writes the token's last use, unless one within LAST_USE_PRECISION is stored already (the
    condition in SQL: concurrent requests, and processes, write it once)."""
    now = timezone.now()
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USE_PRECISION)
    await ApiToken.filter(stale, id=token_id).update(last_used_at=now)


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
    async with write_transaction():
        return await ApiToken.filter(user_id__in=[u.id for u in users]).delete()


def require_admin(user: User) -> None:
    if user.role != Role.ADMIN:
        raise Forbidden("only an admin may do this")
