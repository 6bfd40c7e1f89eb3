from __future__ import annotations

from tests.graphql import GQL, Caller

CREATE_USER = """mutation($input: CreateUserInput!) {
  createUser(input: $input) { token user { id name email role } } }"""
USERS = "{ users { id name email role } }"


async def test_admin_creates_user_whose_token_works(gql: GQL, admin: Caller) -> None:
    # when
    data = await gql.ok(admin, CREATE_USER, input={"name": " Ben ", "email": "ben@alpha.example"})
    # then
    created = data["createUser"]
    assert created["user"]["name"] == "Ben"
    assert created["user"]["role"] == "USER"
    me = await gql.ok(Caller(created["token"], created["user"]["id"], admin.account_id), "{ me { email } }")
    assert me["me"]["email"] == "ben@alpha.example"


async def test_users_lists_only_the_callers_account(
    gql: GQL, admin: Caller, user: Caller, outsider: Caller
) -> None:
    data = await gql.ok(admin, USERS)
    assert [u["id"] for u in data["users"]] == [admin.user_id, user.user_id]


async def test_email_is_unique_per_account_ignoring_case(gql: GQL, admin: Caller, outsider: Caller) -> None:
    await gql.ok(admin, CREATE_USER, input={"name": "Ben", "email": "ben@example.com"})
    error = await gql.error(admin, CREATE_USER, input={"name": "Ben 2", "email": "BEN@example.com"})
    assert error["extensions"] == {"code": "CONFLICT", "field": "email"}
    # another account may use the same address
    await gql.ok(outsider, CREATE_USER, input={"name": "Ben", "email": "ben@example.com"})


async def test_invalid_email_is_bad_user_input(gql: GQL, admin: Caller) -> None:
    error = await gql.error(admin, CREATE_USER, input={"name": "Ben", "email": "not an email"})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "email"}
    assert len((await gql.ok(admin, USERS))["users"]) == 1


async def test_non_admin_cannot_create_users(gql: GQL, user: Caller) -> None:
    error = await gql.error(user, CREATE_USER, input={"name": "Eve", "email": "eve@alpha.example"})
    assert error["extensions"]["code"] == "FORBIDDEN"
