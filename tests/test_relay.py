"""Relay: the Node interface with node/nodes, full PageInfo, and keyset pages backwards."""

from __future__ import annotations

import base64

import pytest

from tests.graphql import GQL, Caller, Records

PAGE = """query($first: Int, $after: String, $last: Int, $before: String) {
  persons(first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { firstName } } } }"""
NODE = """query($id: ID!) { node(id: $id) { __typename id
  ... on Person { firstName } ... on Company { name } ... on Source { name }
  ... on Deal { title } ... on User { email } } }"""
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"


def names(page: dict[str, object]) -> list[str]:
    return [e["node"]["firstName"] for e in page["edges"]]  # type: ignore[attr-defined, index]


async def seven(alpha: Records) -> None:
    for i in range(7):
        await alpha.person(f"p{i}")


async def test_node_refetches_every_kind_by_id(gql: GQL, admin: Caller, alpha: Records) -> None:
    # given
    source = await alpha.source("Website")
    company = await alpha.company("Acme")
    person = await alpha.person("Ada")
    deal = await alpha.deal("Big")
    # when / then
    expected = {
        source["id"]: {"__typename": "Source", "name": "Website"},
        company["id"]: {"__typename": "Company", "name": "Acme"},
        person["id"]: {"__typename": "Person", "firstName": "Ada"},
        deal["id"]: {"__typename": "Deal", "title": "Big"},
        admin.user_id: {"__typename": "User", "email": "admin@alpha.example"},
    }
    for id_, fields in expected.items():
        assert (await gql.ok(admin, NODE, id=id_))["node"] == {"id": id_, **fields}


async def test_nodes_answers_in_order_with_null_for_unknown_and_malformed_ids(
    gql: GQL, admin: Caller, alpha: Records
) -> None:
    person = await alpha.person("Ada")
    company = await alpha.company("Acme")
    ids = [company["id"], "not-a-uuid", person["id"], "00000000-0000-0000-0000-000000000000", company["id"]]
    data = await gql.ok(admin, NODES, ids=ids)
    assert data["nodes"] == [
        {"__typename": "Company", "id": company["id"]},
        None,
        {"__typename": "Person", "id": person["id"]},
        None,
        {"__typename": "Company", "id": company["id"]},
    ]


@pytest.mark.parametrize("count", [0, 201])
async def test_nodes_takes_one_to_two_hundred_ids(gql: GQL, admin: Caller, count: int) -> None:
    error = await gql.error(admin, NODES, ids=["x"] * count)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "ids"}


async def test_forward_pages_fill_the_whole_page_info(gql: GQL, admin: Caller, alpha: Records) -> None:
    await seven(alpha)
    first = (await gql.ok(admin, PAGE, first=3))["persons"]
    second = (await gql.ok(admin, PAGE, first=3, after=first["pageInfo"]["endCursor"]))["persons"]
    last = (await gql.ok(admin, PAGE, first=3, after=second["pageInfo"]["endCursor"]))["persons"]
    assert [names(p) for p in (first, second, last)] == [["p6", "p5", "p4"], ["p3", "p2", "p1"], ["p0"]]
    info = [p["pageInfo"] for p in (first, second, last)]
    assert [(i["hasPreviousPage"], i["hasNextPage"]) for i in info] == [
        (False, True),
        (True, True),
        (True, False),
    ]
    assert info[1]["startCursor"] == second["edges"][0]["cursor"]
    assert info[1]["endCursor"] == second["edges"][-1]["cursor"]


async def test_last_and_before_walk_backwards_to_the_newest(gql: GQL, admin: Caller, alpha: Records) -> None:
    # given: seven persons, newest first p6 … p0
    await seven(alpha)
    # when: a Relay client pages backwards from the oldest end
    oldest = (await gql.ok(admin, PAGE, last=3))["persons"]
    middle = (await gql.ok(admin, PAGE, last=3, before=oldest["pageInfo"]["startCursor"]))["persons"]
    newest = (await gql.ok(admin, PAGE, last=3, before=middle["pageInfo"]["startCursor"]))["persons"]
    # then: each page is still newest first inside, and the page info points the right way
    assert [names(p) for p in (oldest, middle, newest)] == [["p2", "p1", "p0"], ["p5", "p4", "p3"], ["p6"]]
    info = [p["pageInfo"] for p in (oldest, middle, newest)]
    assert [(i["hasPreviousPage"], i["hasNextPage"]) for i in info] == [
        (True, False),
        (True, True),
        (False, True),
    ]


async def test_after_and_before_together_bound_one_page(gql: GQL, admin: Caller, alpha: Records) -> None:
    await seven(alpha)
    everything = (await gql.ok(admin, PAGE, first=7))["persons"]["edges"]
    after, before = everything[1]["cursor"], everything[5]["cursor"]
    forward = (await gql.ok(admin, PAGE, first=10, after=after, before=before))["persons"]
    backward = (await gql.ok(admin, PAGE, last=2, after=after, before=before))["persons"]
    assert names(forward) == ["p4", "p3", "p2"]
    assert names(backward) == ["p3", "p2"]


async def test_first_and_last_together_are_refused(gql: GQL, admin: Caller) -> None:
    error = await gql.error(admin, PAGE, first=3, last=3)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "last"}


@pytest.mark.parametrize("last", [0, 201])
async def test_last_is_bounded_like_first(gql: GQL, admin: Caller, last: int) -> None:
    error = await gql.error(admin, PAGE, last=last)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "last"}


def forged(payload: str) -> str:
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        forged('["2030-01-01T00:00:00+00:00", 5]'),
        forged("[" * 5000 + "]" * 5000),
        forged('[["a"], "b"]'),
        forged('{"a": 1}'),
        forged('["2030-01-01T00:00:00+00:00", "not-a-uuid"]'),
        "A" * 5000,
    ],
    ids=["number-id", "deep-nesting", "nested-list", "object", "bad-uuid", "huge"],
)
async def test_forged_cursors_are_bad_user_input_in_both_directions(
    gql: GQL, admin: Caller, cursor: str
) -> None:
    after = await gql.error(admin, PAGE, first=3, after=cursor)
    before = await gql.error(admin, PAGE, last=3, before=cursor)
    assert after["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}
    assert before["extensions"] == {"code": "BAD_USER_INPUT", "field": "before"}
