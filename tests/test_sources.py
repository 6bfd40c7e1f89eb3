from __future__ import annotations

import pytest

from tests.documents import ALL_SOURCES, CREATE_SOURCE, DELETE_SOURCE, RENAME_SOURCE, SOURCE, SOURCES
from tests.graphql import GQL, Caller


async def create(gql: GQL, who: Caller, name: str) -> dict:
    return (await gql.ok(who, CREATE_SOURCE, name=name))["createSource"]


async def names(gql: GQL, who: Caller) -> list[str]:
    return [s["name"] for s in (await gql.ok(who, SOURCES))["sources"]]


async def test_create_trims_the_name_and_starts_unused(gql: GQL, admin: Caller) -> None:
    source = await create(gql, admin, "  Trade fair 2026 \t")
    assert source["name"] == "Trade fair 2026"
    assert source["usage"] == {"companies": 0, "persons": 0, "deals": 0}
    assert source["createdAt"].endswith("+00:00")


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "tab\x07bell"])
async def test_create_rejects_blank_too_long_or_control_characters(
    gql: GQL, admin: Caller, name: str
) -> None:
    error = await gql.error(admin, CREATE_SOURCE, name=name)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "name"}
    assert await names(gql, admin) == []


async def test_a_name_of_exactly_100_characters_is_fine(gql: GQL, admin: Caller) -> None:
    assert (await create(gql, admin, "y" * 100))["name"] == "y" * 100


@pytest.mark.parametrize(
    ("first", "second"), [("Website", "WEBSITE"), ("Ärzte", "ärzte"), ("Straße", "STRASSE")]
)
async def test_duplicate_names_ignoring_case_conflict(
    gql: GQL, admin: Caller, first: str, second: str
) -> None:
    await create(gql, admin, first)
    error = await gql.error(admin, CREATE_SOURCE, name=second)
    assert error["extensions"] == {"code": "CONFLICT", "field": "name"}
    assert await names(gql, admin) == [first]


async def test_other_accounts_may_use_the_same_name(gql: GQL, admin: Caller, outsider: Caller) -> None:
    await create(gql, admin, "Website")
    await create(gql, outsider, "Website")
    assert await names(gql, outsider) == ["Website"]


async def test_new_sources_go_last(gql: GQL, admin: Caller) -> None:
    # v2: sources are ordered by position, not by name (tests/test_migrations.py: the upgrade
    # gives existing sources v1's name order)
    for name in ["beta", "Alpha", "Ärzte", "gamma", "Zulu"]:
        await create(gql, admin, name)
    listed = (await gql.ok(admin, SOURCES))["sources"]
    assert [(s["name"], s["position"]) for s in listed] == [
        ("beta", 0),
        ("Alpha", 1),
        ("Ärzte", 2),
        ("gamma", 3),
        ("Zulu", 4),
    ]


async def test_rename_to_own_name_in_another_case_works(gql: GQL, admin: Caller) -> None:
    source = await create(gql, admin, "website")
    renamed = (await gql.ok(admin, RENAME_SOURCE, id=source["id"], name=" Website "))["renameSource"]
    assert renamed["name"] == "Website"
    assert renamed["id"] == source["id"]


async def test_rename_onto_another_sources_name_conflicts(gql: GQL, admin: Caller) -> None:
    await create(gql, admin, "Website")
    other = await create(gql, admin, "Referral")
    error = await gql.error(admin, RENAME_SOURCE, id=other["id"], name="WEBSITE")
    assert error["extensions"] == {"code": "CONFLICT", "field": "name"}
    assert await names(gql, admin) == ["Website", "Referral"]


async def test_source_by_id_and_unknown_ids_are_null(gql: GQL, admin: Caller) -> None:
    source = await create(gql, admin, "Website")
    assert (await gql.ok(admin, SOURCE, id=source["id"]))["source"]["name"] == "Website"
    assert (await gql.ok(admin, SOURCE, id="00000000-0000-0000-0000-000000000000"))["source"] is None
    assert (await gql.ok(admin, SOURCE, id="not-a-uuid"))["source"] is None


async def test_delete_requires_confirmation(gql: GQL, admin: Caller) -> None:
    source = await create(gql, admin, "Website")
    error = await gql.error(admin, DELETE_SOURCE, id=source["id"], confirm=False)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "confirm"}
    assert await names(gql, admin) == ["Website"]


async def test_confirmed_delete_removes_the_source(gql: GQL, admin: Caller) -> None:
    source = await create(gql, admin, "Website")
    data = await gql.ok(admin, DELETE_SOURCE, id=source["id"], confirm=True)
    assert data["deleteSource"] == {
        "deletedId": source["id"],
        "detached": {"companies": 0, "persons": 0, "deals": 0},
        "replacedWith": None,
    }
    assert await names(gql, admin) == []
    assert (await gql.error(admin, DELETE_SOURCE, id=source["id"], confirm=True))["extensions"][
        "code"
    ] == "NOT_FOUND"


async def test_a_source_cannot_replace_itself(gql: GQL, admin: Caller) -> None:
    source = await create(gql, admin, "Website")
    error = await gql.error(admin, DELETE_SOURCE, id=source["id"], confirm=True, replaceWith=source["id"])
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "replaceWith"}
    assert await names(gql, admin) == ["Website"]


ADMIN_MUTATIONS = [
    ("mutation { updateSourceSettings(enabled: true) { enabled } }", {}),
    ('mutation { createSource(name: "X") { id } }', {}),
    ('mutation { createSource(name: "X", color: "#000000") { id } }', {}),
    ('mutation($id: ID!) { renameSource(id: $id, name: "Y") { id } }', {"id": "SOURCE"}),
    ('mutation($id: ID!) { updateSource(id: $id, input: {name: "Y"}) { id } }', {"id": "SOURCE"}),
    ('mutation($id: ID!) { updateSource(id: $id, input: {color: "#000000"}) { id } }', {"id": "SOURCE"}),
    ("mutation($id: ID!) { reorderSources(ids: [$id]) { id } }", {"id": "SOURCE"}),
    ("mutation($id: ID!) { archiveSource(id: $id) { id } }", {"id": "SOURCE"}),
    ("mutation($id: ID!) { restoreSource(id: $id) { id } }", {"id": "SOURCE"}),
    ("mutation($id: ID!) { deleteSource(id: $id, confirm: true) { deletedId } }", {"id": "SOURCE"}),
    (
        "mutation($id: ID!, $into: ID!) {"
        " mergeSources(ids: [$id], into: $into, confirm: true) { mergedIds } }",
        {"id": "SOURCE", "into": "OTHER"},
    ),
    ('mutation { createUser(input: {name: "E", email: "e@x.example"}) { token } }', {}),
]


@pytest.mark.parametrize(("document", "variables"), ADMIN_MUTATIONS)
async def test_non_admin_is_forbidden_every_admin_mutation(
    gql: GQL, admin: Caller, user: Caller, document: str, variables: dict
) -> None:
    # given
    source = await create(gql, admin, "Website")
    other = await create(gql, admin, "Referral")
    before = (await gql.ok(admin, ALL_SOURCES))["sources"]
    ids = {"SOURCE": source["id"], "OTHER": other["id"]}
    resolved = {k: ids.get(v, v) for k, v in variables.items()}
    # when
    error = await gql.error(user, document, **resolved)
    # then
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert (await gql.ok(admin, ALL_SOURCES))["sources"] == before
    assert (await gql.ok(admin, "{ sourceSettings { enabled } }"))["sourceSettings"]["enabled"] is False


async def test_non_admin_can_read_sources_and_settings(gql: GQL, admin: Caller, user: Caller) -> None:
    await create(gql, admin, "Website")
    assert await names(gql, user) == ["Website"]
