"""GraphQL over HTTP: media types, status codes, JSON refusals, persisted queries, anonymous introspection."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query

from config import Settings
from server import create_app
from tests.graphql import Caller

GRAPHQL_RESPONSE = "application/graphql-response+json"
WANTS_SPEC = {"Accept": f"{GRAPHQL_RESPONSE}, application/json;q=0.9"}
ME = "{ me { id } }"


async def post(client: httpx.AsyncClient, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return await client.post("/graphql", json=body, headers=headers or {})


def code(response: httpx.Response) -> str:
    error: str = response.json()["errors"][0]["extensions"]["code"]
    return error


def persisted(sha: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha}}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- media types and status codes ----------------------------------------------------------


async def test_clients_accepting_graphql_response_json_get_it(
    client: httpx.AsyncClient, admin: Caller
) -> None:
    response = await post(client, {"query": ME}, {**admin.headers, **WANTS_SPEC})
    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert response.json() == {"data": {"me": {"id": admin.user_id}}}


async def test_clients_without_that_accept_header_get_json_as_in_v1(
    client: httpx.AsyncClient, admin: Caller
) -> None:
    for accept in ("application/json", "*/*", ""):
        response = await post(client, {"query": "{ nope }"}, {**admin.headers, "Accept": accept})
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert response.json()["data"] is None


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        ("{ me { id ", None),  # does not parse
        ("{ nope }", None),  # does not validate
        ("query($f: Int) { persons(first: $f) { totalCount } }", {"f": "ten"}),  # variables refused
    ],
    ids=["parse", "validation", "variables"],
)
async def test_request_errors_are_400_without_data_for_graphql_response_json(
    client: httpx.AsyncClient, admin: Caller, document: str, variables: dict[str, Any] | None
) -> None:
    response = await post(
        client, {"query": document, "variables": variables}, {**admin.headers, **WANTS_SPEC}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_field_errors_of_an_executed_operation_are_200_with_data(
    client: httpx.AsyncClient, user: Caller
) -> None:
    mutation = 'mutation { createSource(name: "Web") { id } }'
    response = await post(client, {"query": mutation}, {**user.headers, **WANTS_SPEC})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["errors"][0]["path"] == ["createSource"]


async def test_unauthenticated_is_401_with_a_graphql_error_in_either_media_type(
    client: httpx.AsyncClient,
) -> None:
    for accept, media in ((WANTS_SPEC["Accept"], GRAPHQL_RESPONSE), ("application/json", "application/json")):
        response = await post(client, {"query": ME}, {"Accept": accept})
        assert response.status_code == 401
        assert response.headers["content-type"] == media
        assert response.headers["www-authenticate"] == "Bearer"
        assert code(response) == "UNAUTHENTICATED"


async def test_a_mutation_over_get_is_405_as_json(client: httpx.AsyncClient, admin: Caller) -> None:
    response = await client.get(
        "/graphql", params={"query": 'mutation { createSource(name: "X") { id } }'}, headers=admin.headers
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert code(response) == "BAD_USER_INPUT"
    assert (await post(client, {"query": "{ sources { name } }"}, admin.headers)).json()["data"] == {
        "sources": []
    }


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"123", {}),
        (b"null", {}),
        (b'"str"', {}),
        (b"\xff", {}),
        (gzip.compress(b'{"query": "{ me { id } }"}'), {"Content-Encoding": "gzip"}),
        (b'[{"query": "{ me { id } }"}, {"query": "{ me { id } }"}]', {}),
        (b'{"variables": {}}', {}),
        (b'{"query": "{ me { id } }", "variables": ' + b"[" * 5000 + b"]" * 5000 + b"}", {}),
        (b'{"query": "{ me { id } }", "variables": {"a": ' + b"[" * 500 + b"]" * 500 + b"}}", {}),
        (b'{"query": "{ me { id } }", "operationName": 5}', {}),
        (b'{"query": "{ me { id } }", "extensions": []}', {}),
    ],
    ids=[
        "number", "null", "string", "lone-ff", "gzip", "batch", "no-query", "deep-json", "deep-variables",
        "operation-name", "extensions-list",
    ],
)  # fmt: skip
async def test_every_http_level_refusal_is_a_json_graphql_error(
    client: httpx.AsyncClient, admin: Caller, body: bytes, headers: dict[str, str]
) -> None:
    for accept in ("application/json", WANTS_SPEC["Accept"]):
        response = await client.post(
            "/graphql",
            content=body,
            headers={**admin.headers, "Content-Type": "application/json", "Accept": accept, **headers},
        )
        assert response.status_code == 400, response.text
        assert code(response) == "BAD_USER_INPUT"
        assert "Traceback" not in response.text


# --- automatic persisted queries -------------------------------------------------------------


async def test_a_persisted_query_misses_then_registers_then_hits_over_get(
    client: httpx.AsyncClient, admin: Caller
) -> None:
    query = "query Hashed { me { id } }"
    hashed = {"extensions": persisted(sha256(query))}
    # when: the hash alone is unknown
    miss = await post(client, hashed, admin.headers)
    # then
    assert miss.status_code == 200
    assert code(miss) == "PERSISTED_QUERY_NOT_FOUND"
    # when: the query is sent with its hash, then the hash alone over GET
    registered = await post(client, {"query": query, **hashed}, admin.headers)
    hit = await client.get(
        "/graphql", params={"extensions": json.dumps(hashed["extensions"])}, headers=admin.headers
    )
    # then
    assert registered.json() == {"data": {"me": {"id": admin.user_id}}}
    assert hit.json() == {"data": {"me": {"id": admin.user_id}}}


async def test_a_hash_that_is_not_the_querys_is_bad_user_input(
    client: httpx.AsyncClient, admin: Caller
) -> None:
    response = await post(
        client, {"query": ME, "extensions": persisted(sha256("{ users { id } }"))}, admin.headers
    )
    assert code(response) == "BAD_USER_INPUT"
    # and nothing was registered under that hash
    again = await post(client, {"extensions": persisted(sha256("{ users { id } }"))}, admin.headers)
    assert code(again) == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_persisted_query_needs_a_token_like_any_other(
    client: httpx.AsyncClient, admin: Caller
) -> None:
    body = {"query": ME, "extensions": persisted(sha256(ME))}
    assert (await post(client, body)).status_code == 401
    assert code(await post(client, {"extensions": persisted(sha256(ME))}, admin.headers)) == (
        "PERSISTED_QUERY_NOT_FOUND"
    )


async def test_the_persisted_query_store_is_bounded(
    client: httpx.AsyncClient, admin: Caller, app: Any
) -> None:
    store = app.routes[0].endpoint.persisted  # the app's one store
    store.capacity = 500
    for i in range(40):
        query = f"query Q{i} {{ me {{ id }} }}"
        await post(client, {"query": query, "extensions": persisted(sha256(query))}, admin.headers)
    assert store.size <= 500
    oldest = "query Q0 { me { id } }"
    assert code(await post(client, {"extensions": persisted(sha256(oldest))}, admin.headers)) == (
        "PERSISTED_QUERY_NOT_FOUND"
    )
    newest = "query Q39 { me { id } }"
    hit = await post(client, {"extensions": persisted(sha256(newest))}, admin.headers)
    assert hit.json() == {"data": {"me": {"id": admin.user_id}}}


# --- anonymous introspection -----------------------------------------------------------------


@pytest.mark.parametrize("authorization", [None, "Bearer ", "Bearer", "Bearer wrong-token"])
async def test_introspection_only_documents_need_no_token(
    client: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    full = await post(client, {"query": get_introspection_query(descriptions=True)}, headers)
    typename = await post(client, {"query": "{ __typename }"}, headers)
    fragment = await post(
        client, {"query": 'query { ...T } fragment T on Query { __type(name: "Source") { name } }'}, headers
    )
    assert full.status_code == 200
    assert full.json()["data"]["__schema"]["queryType"]["name"] == "Query"
    assert typename.json() == {"data": {"__typename": "Query"}}
    assert fragment.json() == {"data": {"__type": {"name": "Source"}}}


@pytest.mark.parametrize(
    "document",
    [
        "{ __typename me { id } }",
        "{ __schema { queryType { name } } sources { id } }",
        "query { ...F } fragment F on Query { me { id } }",
        "mutation { __typename }",
    ],
)
async def test_anything_beyond_introspection_still_needs_a_token(
    client: httpx.AsyncClient, document: str
) -> None:
    response = await post(client, {"query": document})
    assert response.status_code == 401
    assert code(response) == "UNAUTHENTICATED"


@pytest.fixture
async def closed_client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(database_url, Settings(introspection=False))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://tributary.test") as c:
            yield c


async def test_with_introspection_off_anonymous_introspection_is_refused(
    closed_client: httpx.AsyncClient,
) -> None:
    response = await post(closed_client, {"query": "{ __schema { queryType { name } } }"})
    assets = await closed_client.get("/static/graphiql/graphiql.min.js")
    assert response.status_code == 401
    assert assets.status_code == 404


# --- GraphiQL --------------------------------------------------------------------------------


async def test_the_graphiql_page_and_its_assets_are_served_by_tributary(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert 'defaultHeaders: "{\\"Authorization\\": \\"Bearer \\"}"' in page.text
    assert "tributary create-user" in page.text
    assert "storage: memoryStorage()" in page.text  # nothing is kept in localStorage
    for asset in ("graphiql.min.js", "graphiql.min.css", "react.production.min.js"):
        served = await client.get(f"/static/graphiql/{asset}")
        assert served.status_code == 200, asset
    assert "http://" not in page.text
    assert "https://" not in page.text
