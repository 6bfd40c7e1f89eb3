"""Tokens: revocable by admins (and on the command line, tests/test_cli.py), with their
creation time and last use kept."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from tortoise import timezone

from models import ApiToken
from resolvers.auth import hash_token
from tests.graphql import GQL, Caller

REVOKE = "mutation($id: ID!) { revokeUserTokens(userId: $id) }"
ME = "{ me { id } }"


async def test_an_admin_revokes_every_token_of_a_user(gql: GQL, admin: Caller, user: Caller) -> None:
    # given: the user holds two tokens
    second = await ApiToken.create(user_id=user.user_id, token_hash=hash_token("trb_second"))
    # when
    revoked = (await gql.ok(admin, REVOKE, id=user.user_id))["revokeUserTokens"]
    # then
    assert revoked == 2
    assert (await gql(user, ME))["status"] == 401
    assert not await ApiToken.exists(id=second.id)
    assert (await gql.ok(admin, ME))["me"]["id"] == admin.user_id
    assert (await gql.ok(admin, REVOKE, id=user.user_id))["revokeUserTokens"] == 0


async def test_an_admin_may_revoke_its_own_tokens(gql: GQL, admin: Caller) -> None:
    assert (await gql.ok(admin, REVOKE, id=admin.user_id))["revokeUserTokens"] == 1
    assert (await gql(admin, ME))["status"] == 401


async def test_only_admins_revoke_tokens(gql: GQL, admin: Caller, user: Caller) -> None:
    error = await gql.error(user, REVOKE, id=admin.user_id)
    assert error["extensions"] == {"code": "FORBIDDEN"}
    assert (await gql.ok(admin, ME))["me"]["id"] == admin.user_id


async def test_revoking_an_unknown_user_is_not_found(gql: GQL, admin: Caller) -> None:
    for unknown in ("9b7b4f4e-7c43-4a35-a7ad-2a8d8bfbd6b5", "not-an-id"):
        error = await gql.error(admin, REVOKE, id=unknown)
        assert error["extensions"] == {"code": "NOT_FOUND", "field": "userId"}


async def stored(caller: Caller) -> ApiToken:
    return await ApiToken.get(token_hash=hash_token(caller.token))


async def written_use(caller: Caller, *, after: datetime | None = None) -> datetime | None:
    """The token's last use once it is stored (and later than `after`): the request waits for
    the write 0.1 s at most (web/auth.py), so a slow machine may store it a moment later."""
    for _ in range(50):
        used = (await stored(caller)).last_used_at
        if used is not None and (after is None or used > after):
            return used
        await asyncio.sleep(0.1)
    return (await stored(caller)).last_used_at


async def test_a_token_keeps_its_creation_time_and_last_use(gql: GQL, admin: Caller) -> None:
    # given: a token never used
    before = timezone.now()
    token = await stored(admin)
    assert token.last_used_at is None
    assert token.created_at <= before
    # when
    await gql.ok(admin, ME)
    # then
    used = await written_use(admin)
    assert used is not None
    assert before <= used <= timezone.now()


async def test_last_use_is_written_at_most_once_a_minute(gql: GQL, admin: Caller) -> None:
    # given
    await gql.ok(admin, ME)
    first = await written_use(admin)
    assert first is not None
    # when: used again within the minute
    await gql.ok(admin, ME)
    # then: not written again
    assert (await stored(admin)).last_used_at == first
    # when: the stored use is a minute old
    a_minute_ago = timezone.now() - timedelta(minutes=1, seconds=1)
    await ApiToken.filter(token_hash=hash_token(admin.token)).update(last_used_at=a_minute_ago)
    await gql.ok(admin, ME)
    # then
    refreshed = await written_use(admin, after=a_minute_ago)
    assert refreshed is not None
    assert refreshed > a_minute_ago + timedelta(seconds=1)
