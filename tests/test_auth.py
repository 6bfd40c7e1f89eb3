from __future__ import annotations

import hashlib

import httpx
import pytest

from models import ApiToken
from tests.graphql import GQL, Caller

ME = "{ me { id name email role } }"


async def test_request_without_token_is_unauthenticated_with_http_401(gql: GQL) -> None:
    body = await gql(None, ME)
    assert body["status"] == 401
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer ", "Basic abc", "trb_abc", "Bearer " + "x" * 5000])
async def test_bad_token_is_unauthenticated(client: httpx.AsyncClient, admin: Caller, header: str) -> None:
    response = await client.post("/graphql", json={"query": ME}, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert response.headers["www-authenticate"] == "Bearer"


async def test_query_via_get_also_needs_a_token(client: httpx.AsyncClient, admin: Caller) -> None:
    anonymous = await client.get("/graphql", params={"query": ME})
    signed_in = await client.get("/graphql", params={"query": ME}, headers=admin.headers)
    assert anonymous.status_code == 401
    assert signed_in.json()["data"]["me"]["id"] == admin.user_id


async def test_me_is_the_token_owner(gql: GQL, admin: Caller) -> None:
    data = await gql.ok(admin, ME)
    assert data["me"] == {
        "id": admin.user_id,
        "name": "Alpha Admin",
        "email": "admin@alpha.example",
        "role": "ADMIN",
    }


async def test_graphiql_page_and_health_need_no_token(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    health = await client.get("/healthz")
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}


async def test_tokens_are_stored_only_as_hashes(admin: Caller) -> None:
    stored = await ApiToken.all().values_list("token_hash", flat=True)
    assert stored == [hashlib.sha256(admin.token.encode()).hexdigest()]
    assert admin.token not in stored
