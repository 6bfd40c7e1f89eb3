"""Abusive documents and bodies are refused with a clear message, before any work is done."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from config import Settings
from schema.limits import MAX_ALIASES, MAX_BODY_BYTES, MAX_DEPTH, MAX_TOKENS
from server import create_app
from tests.graphql import GQL, Caller

CIRCULAR_INTROSPECTION = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"


def nested(depth: int) -> str:
    return "{ " + " { ".join(f"f{i}" for i in range(depth)) + " { x }" + " }" * (depth - 1) + " }"


async def test_documents_deeper_than_the_limit_are_refused(gql: GQL, admin: Caller) -> None:
    body = await gql(admin, nested(MAX_DEPTH + 1))
    assert body["data"] is None
    depth_errors = [e for e in body["errors"] if "exceeds maximum operation depth" in e["message"]]
    assert depth_errors
    assert depth_errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    allowed = await gql(admin, nested(MAX_DEPTH))
    assert not [e for e in allowed["errors"] if "depth" in e["message"]]


async def test_circular_introspection_is_refused(gql: GQL, admin: Caller) -> None:
    body = await gql(admin, CIRCULAR_INTROSPECTION)
    assert body["errors"][0]["message"] == "Maximum introspection depth exceeded"
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_graphiqls_own_introspection_query_still_works(gql: GQL, admin: Caller) -> None:
    from graphql import get_introspection_query

    data = await gql.ok(admin, get_introspection_query(descriptions=True))
    assert data["__schema"]["queryType"]["name"] == "Query"


async def test_too_many_aliases_are_refused(gql: GQL, admin: Caller) -> None:
    document = "{ " + " ".join(f"a{i}: me {{ id }}" for i in range(MAX_ALIASES + 1)) + " }"
    error = await gql.error(admin, document)
    assert error["message"] == f"{MAX_ALIASES + 1} aliases found. Allowed: {MAX_ALIASES}"
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert await gql.ok(admin, "{ " + " ".join(f"a{i}: me {{ id }}" for i in range(MAX_ALIASES)) + " }")


async def test_too_many_tokens_are_refused(gql: GQL, admin: Caller) -> None:
    document = "{ me { " + "id " * MAX_TOKENS + "} }"
    error = await gql.error(admin, document)
    assert f"more than {MAX_TOKENS} tokens" in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_bodies_over_the_limit_get_413(client: httpx.AsyncClient, admin: Caller) -> None:
    padding = " " * MAX_BODY_BYTES
    response = await client.post(
        "/graphql", content='{"query": "{ me { id } }' + padding + '"}', headers=admin.headers
    )
    assert response.status_code == 413


async def test_json_batches_are_refused(client: httpx.AsyncClient, admin: Caller) -> None:
    response = await client.post("/graphql", json=[{"query": "{ me { id } }"}] * 2, headers=admin.headers)
    assert response.status_code == 400


async def test_user_id_lists_are_bounded(gql: GQL, admin: Caller) -> None:
    ids = [admin.user_id] * 201
    error = await gql.error(admin, "query($ids: [ID!]) { sourceStats(userIds: $ids) { count } }", ids=ids)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "userIds"}
    filtered = "query($ids: [ID!]) { persons(filter: {ownerIds: $ids}) { totalCount } }"
    assert (await gql.error(admin, filtered, ids=ids))["extensions"] == {
        "code": "BAD_USER_INPUT",
        "field": "ownerIds",
    }


@pytest.fixture
async def locked_down(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(database_url, Settings(introspection=False))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as c,
    ):
        yield c


async def test_introspection_graphiql_and_suggestions_can_be_switched_off(
    locked_down: httpx.AsyncClient,
) -> None:
    from tests.graphql import make_account

    admin = await make_account("Alpha")
    gql = GQL(locked_down)
    introspection = (await gql(admin, "{ __schema { queryType { name } } }"))["errors"][0]
    typo = await gql.error(admin, "{ mee { id } }")
    page = await locked_down.get("/graphql", headers={"Accept": "text/html"})
    assert "introspection has been disabled" in introspection["message"]
    assert "Did you mean" not in typo["message"]
    assert page.status_code == 404
    assert (await gql.ok(admin, "{ me { id } }"))["me"]["id"] == admin.user_id


def test_production_switches_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIBUTARY_DATABASE_URL", "postgres://db.internal/tributary")
    monkeypatch.setenv("TRIBUTARY_INTROSPECTION", "0")
    monkeypatch.setenv("TRIBUTARY_CORS_ORIGINS", "https://app.example, https://admin.example")
    monkeypatch.setenv("TRIBUTARY_BULK_TIMEOUT", "300")
    assert Settings.from_env() == Settings(
        database_url="postgres://db.internal/tributary",
        introspection=False,
        cors_origins=("https://app.example", "https://admin.example"),
        bulk_timeout=300.0,
    )
    assert Settings.from_env({}) == Settings(introspection=True, cors_origins=())


@pytest.mark.parametrize("raw", ["nan", "inf", "0", "-1", "ten"])
def test_a_time_budget_that_is_not_a_positive_finite_number_stops_the_start(raw: str) -> None:
    with pytest.raises(SystemExit, match="TRIBUTARY_BULK_TIMEOUT must be a positive number"):
        Settings.from_env({"TRIBUTARY_BULK_TIMEOUT": raw})


async def test_cors_allows_only_the_configured_origins(database_url: str, client: httpx.AsyncClient) -> None:
    preflight = {"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}
    # nothing is allowed by default
    default = await client.options("/graphql", headers=preflight)
    assert "access-control-allow-origin" not in default.headers
    # configured
    app = create_app(database_url, Settings(cors_origins=("https://app.example",)))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as c,
    ):
        allowed = await c.options(
            "/graphql", headers={**preflight, "Access-Control-Request-Headers": "authorization"}
        )
        other = await c.options("/graphql", headers={**preflight, "Origin": "https://evil.example"})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-origin" not in other.headers
