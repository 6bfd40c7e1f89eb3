"""Whatever a client sends, answers carry a contract code and never internals."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from resolvers import sources
from tests.documents import CREATE_PERSON, CREATE_SOURCE, SOURCES
from tests.graphql import GQL, Caller, Records

LEAKS = ["Traceback", 'File "', ".py", "site-packages", "sqlite", "asyncpg", "tortoise", "SELECT", "INSERT"]
CODES = {"UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT", "CONFLICT", "SOURCES_DISABLED"}

NASTY_STRINGS = [
    "\u202eevil right-to-left",
    "😀" * 50,
    "a" * 50_000,
    "nul\x00byte",
    "lone \ud800 surrogate",
    "'; DROP TABLE source; --",
    "%_\\",
    "",
]


def assert_no_leaks(response: httpx.Response) -> None:
    for leak in LEAKS:
        assert leak not in response.text, response.text[:500]


def assert_clean(response: httpx.Response) -> None:
    """No internals, and every error is one the client caused (never INTERNAL_SERVER_ERROR)."""
    assert_no_leaks(response)
    if response.headers.get("content-type", "").startswith("application/json"):
        for error in response.json().get("errors") or []:
            assert error["extensions"]["code"] in CODES, error


async def post(client: httpx.AsyncClient, who: Caller, query: str, **variables: Any) -> httpx.Response:
    # ASCII-escaped JSON, so lone surrogates travel as "\ud800" the way JavaScript clients send them
    body = json.dumps({"query": query, "variables": variables}, ensure_ascii=True)
    return await client.post(
        "/graphql", content=body, headers={**who.headers, "Content-Type": "application/json"}
    )


@pytest.mark.parametrize("text", NASTY_STRINGS, ids=[f"nasty{i}" for i in range(len(NASTY_STRINGS))])
async def test_nasty_strings_in_every_text_input(
    client: httpx.AsyncClient, gql: GQL, admin: Caller, alpha: Records, text: str
) -> None:
    responses = [
        await post(client, admin, CREATE_SOURCE, name=text),
        await post(client, admin, CREATE_PERSON, input={"firstName": text, "lastName": text, "email": text}),
        await post(
            client, admin, "query($s: String) { persons(filter: {search: $s}) { totalCount } }", s=text
        ),
        await post(client, admin, "query($id: ID!) { source(id: $id) { id } }", id=text),
        await post(client, admin, "query($a: String) { companies(after: $a) { totalCount } }", a=text),
        await post(
            client, admin, "query($d: DateTime) { deals(filter: {createdFrom: $d}) { totalCount } }", d=text
        ),
        await post(
            client,
            admin,
            'mutation($v: Decimal) { createDeal(input: {title: "x", value: $v}) { id } }',
            v=text,
        ),
    ]
    for response in responses:
        assert response.status_code == 200
        assert_clean(response)


async def test_accepted_unicode_is_stored_as_sent(gql: GQL, admin: Caller, alpha: Records) -> None:
    names = ["עברית מימין לשמאל", "😀 Emoji fair", "Zürich ∑", "Łódź"]
    for name in names:
        await alpha.source(name)
    assert sorted(s["name"] for s in (await gql.ok(admin, SOURCES))["sources"]) == sorted(names)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"query": ', "application/json"),
        (b'\xff\xfe{"query": "{ me { id } }"}', "application/json"),
        (b'{"query": 42}', "application/json"),
        (b'{"query": "{ me { id } }", "variables": "x"}', "application/json"),
    ],
)
async def test_malformed_bodies_get_400(
    client: httpx.AsyncClient, admin: Caller, body: bytes, content_type: str
) -> None:
    response = await client.post(
        "/graphql", content=body, headers={**admin.headers, "Content-Type": content_type}
    )
    assert response.status_code == 400
    assert_clean(response)
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_body_that_is_not_json_gets_415_as_json(client: httpx.AsyncClient, admin: Caller) -> None:
    response = await client.post(
        "/graphql", content=b"{ me { id } }", headers={**admin.headers, "Content-Type": "text/plain"}
    )
    assert response.status_code == 415
    assert_clean(response)
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        ("query($f: Int) { persons(first: $f) { totalCount } }", {"f": "ten"}),
        ("query($f: Int) { persons(first: $f) { totalCount } }", {"f": 2**40}),
        ("query($k: ContactKind!) { sourceStats(contactKind: $k) { count } }", {"k": "EVERYTHING"}),
        ("mutation($i: CreatePersonInput!) { createPerson(input: $i) { id } }", {"i": {"lastName": "x"}}),
        (
            "mutation($i: CreatePersonInput!) { createPerson(input: $i) { id } }",
            {"i": ["not", "an", "object"]},
        ),
        ("{ persons(first: 1.5) { totalCount } }", {}),
        ("{ nope }", {}),
        ("{", {}),
    ],
)
async def test_wrong_types_and_bad_documents_are_bad_user_input(
    client: httpx.AsyncClient, admin: Caller, document: str, variables: dict[str, Any]
) -> None:
    response = await post(client, admin, document, **variables)
    assert response.status_code == 200
    assert_clean(response)
    assert {e["extensions"]["code"] for e in response.json()["errors"]} == {"BAD_USER_INPUT"}


@pytest.mark.parametrize(
    ("document", "variables", "field"),
    [
        # a variable is named by the argument or input field it fills, never by its own name
        (
            "query($k: ContactKind!) { sourceStats(contactKind: $k) { count } }",
            {"k": "EVERYONE"},
            "contactKind",
        ),
        (
            'mutation($v: Decimal) { createDeal(input: {title: "x", value: $v}) { id } }',
            {"v": "abc"},
            "value",
        ),
        ("query($i: [ID!]) { sourceStats(userIds: $i) { count } }", {"i": [None]}, "userIds"),
        ("query($x: Int) { persons(filter: {search: $x}) { totalCount } }", {"x": 5}, "search"),
        ("query($n: Int!) { persons(first: $n) { totalCount } }", {}, "first"),
        # inside an input object given as a variable: the input field
        (
            "mutation($input: CreateDealInput!) { createDeal(input: $input) { id } }",
            {"input": {"title": "x", "value": "abc"}},
            "value",
        ),
        (
            "query($f: ContactFilter) { persons(filter: $f) { totalCount } }",
            {"f": {"createdFrom": "x"}},
            "createdFrom",
        ),
        # a missing required argument, and literals the schema refuses
        ('mutation { deleteSource(id: "x") { deletedId } }', {}, "confirm"),
        ('mutation { deleteSource(id: "x", confirm: null) { deletedId } }', {}, "confirm"),
        ('mutation { createDeal(input: {title: "x", value: "abc"}) { id } }', {}, "value"),
        ('{ persons(filter: {createdFrom: "yesterday"}) { totalCount } }', {}, "createdFrom"),
        ('{ persons(first: "ten") { totalCount } }', {}, "first"),
        ("mutation { createPerson(input: {}) { id } }", {}, "firstName"),
        ("{ persons(filter: {bogus: 1}) { totalCount } }", {}, "bogus"),
    ],
)
async def test_extensions_field_names_the_argument_or_input_field(
    gql: GQL, admin: Caller, document: str, variables: dict[str, Any], field: str
) -> None:
    error = await gql.error(admin, document, **variables)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, error


async def test_a_missing_required_input_field_is_named(gql: GQL, admin: Caller) -> None:
    error = await gql.error(
        admin, "mutation($i: CreatePersonInput!) { createPerson(input: $i) { id } }", i={}
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "firstName"}


async def test_unexpected_failures_are_internal_errors_without_details(
    gql: GQL,
    client: httpx.AsyncClient,
    admin: Caller,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given: a bug whose message carries internals
    async def broken(**_: object) -> None:
        raise RuntimeError('SELECT * FROM source -- File "/srv/tributary/resolvers/sources.py"')

    monkeypatch.setattr(sources, "list_sources", broken)
    # when
    with caplog.at_level(logging.ERROR, logger="tributary"):
        response = await post(client, admin, SOURCES)
    # then: the client learns nothing, the log has the traceback
    assert_no_leaks(response)
    assert response.json()["errors"] == [
        {
            "message": "Internal server error.",
            "locations": [{"line": 1, "column": 3}],
            "path": ["sources"],
            "extensions": {"code": "INTERNAL_SERVER_ERROR"},
        }
    ]
    assert any(
        record.exc_info and "SELECT * FROM source" in str(record.exc_info[1]) for record in caplog.records
    )
