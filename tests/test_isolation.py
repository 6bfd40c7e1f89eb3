"""Accounts never see each other: every root field, called by account B with account A's ids.

The root fields are enumerated from the schema itself, so a new query or mutation without an
isolation case fails `test_every_root_field_has_an_isolation_case`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from graphql import GraphQLObjectType, get_named_type

from models import Deal, Person, RecordKind, SourceChange, SourceChangeReason
from schema import schema
from tests.documents import CREATE_SOURCE, ENABLE_SOURCES
from tests.graphql import GQL, Caller, Records


@dataclass
class World:
    a: Caller
    b: Caller
    ids: dict[str, str]  # A's ids by kind


ATTRIBUTION = """sourceOrigin firstSource { id } firstSourceAt sourceHistory(first: 5) { edges { node {
  at reason by { id } from { id } fromName to { id } toName } } }"""
SNAPSHOT = f"""{{
  me {{ id }} users {{ id email }} sourceSettings {{ enabled inheritFromCompany }}
  sources(includeArchived: true) {{
    id name color position archived archivedAt usage {{ companies persons deals }} }}
  companies(first: 20) {{ totalCount edges {{ node {{
    id name updatedAt source {{ id }} owner {{ id }} {ATTRIBUTION} }} }} }}
  persons(first: 20) {{ totalCount edges {{ node {{
    id firstName updatedAt source {{ id }} company {{ id }} {ATTRIBUTION} }} }} }}
  deals(first: 20) {{ totalCount edges {{ node {{
    id title value status updatedAt source {{ id }} person {{ id }} {ATTRIBUTION} }} }} }}
  sourceStats {{ label count deals {{ count totalValue }} }}
  firstTouch: sourceStats(attribution: FIRST_TOUCH) {{ label count deals {{ count totalValue }} }} }}"""


@pytest.fixture
async def world(gql: GQL, admin: Caller, outsider: Caller) -> World:
    a = Records(gql, admin)
    await gql.ok(admin, ENABLE_SOURCES)
    await gql.ok(outsider, ENABLE_SOURCES)
    source = await a.source("Website")
    company = await a.company("Acme", sourceId=source["id"])
    person = await a.person("Ada", companyId=company["id"], sourceId=source["id"])
    deal = await a.deal(
        "Big", value="100", companyId=company["id"], personId=person["id"], sourceId=source["id"]
    )
    ids = {"source": source["id"], "company": company["id"], "person": person["id"], "deal": deal["id"]}
    return World(a=admin, b=outsider, ids={**ids, "user": admin.user_id})


Case = Callable[[GQL, World], Awaitable[None]]
CASES: dict[str, Case] = {}


def case(name: str) -> Callable[[Case], Case]:
    def register(fn: Case) -> Case:
        CASES[name] = fn
        return fn

    return register


async def not_found(gql: GQL, w: World, document: str, **variables: Any) -> None:
    error = await gql.error(w.b, document, **variables)
    assert error["extensions"]["code"] == "NOT_FOUND", error


def mentions_a(data: Any, w: World) -> bool:
    text = json.dumps(data)
    return any(i in text for i in w.ids.values())


@case("me")
async def _me(gql: GQL, w: World) -> None:
    assert (await gql.ok(w.b, "{ me { id } }"))["me"]["id"] == w.b.user_id


@case("users")
async def _users(gql: GQL, w: World) -> None:
    assert [u["id"] for u in (await gql.ok(w.b, "{ users { id } }"))["users"]] == [w.b.user_id]


@case("sourceSettings")
async def _settings(gql: GQL, w: World) -> None:
    await gql.ok(w.a, "mutation { updateSourceSettings(inheritFromCompany: true) { enabled } }")
    settings = (await gql.ok(w.b, "{ sourceSettings { inheritFromCompany } }"))["sourceSettings"]
    assert settings == {"inheritFromCompany": False}


@case("sources")
async def _sources(gql: GQL, w: World) -> None:
    assert (await gql.ok(w.b, "{ sources { id } }"))["sources"] == []
    assert (await gql.ok(w.b, "{ sources(includeArchived: true) { id } }"))["sources"] == []


@case("source")
async def _source(gql: GQL, w: World) -> None:
    assert (await gql.ok(w.b, "query($id: ID!) { source(id: $id) { id } }", id=w.ids["source"]))[
        "source"
    ] is None


@case("node")
async def _node(gql: GQL, w: World) -> None:
    for kind, id_ in w.ids.items():
        data = await gql.ok(w.b, "query($id: ID!) { node(id: $id) { id __typename } }", id=id_)
        assert data["node"] is None, kind
    mine = await gql.ok(w.b, "query($id: ID!) { node(id: $id) { id } }", id=w.b.user_id)
    assert mine["node"] == {"id": w.b.user_id}


@case("nodes")
async def _nodes(gql: GQL, w: World) -> None:
    ids = [*w.ids.values(), w.b.user_id]
    data = await gql.ok(w.b, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", ids=ids)
    assert data["nodes"] == [None] * len(w.ids) + [{"id": w.b.user_id}]


@case("company")
async def _company(gql: GQL, w: World) -> None:
    data = await gql.ok(w.b, "query($id: ID!) { company(id: $id) { id } }", id=w.ids["company"])
    assert data["company"] is None


@case("person")
async def _person(gql: GQL, w: World) -> None:
    assert (await gql.ok(w.b, "query($id: ID!) { person(id: $id) { id } }", id=w.ids["person"]))[
        "person"
    ] is None


@case("deal")
async def _deal(gql: GQL, w: World) -> None:
    assert (await gql.ok(w.b, "query($id: ID!) { deal(id: $id) { id } }", id=w.ids["deal"]))["deal"] is None


@case("companies")
async def _companies(gql: GQL, w: World) -> None:
    for f in (
        {},
        {"sourceIds": [w.ids["source"]]},
        {"companyId": w.ids["company"]},
        {"ownerIds": [w.ids["user"]]},
    ):
        for order in ("NEWEST_FIRST", "UPDATED_FIRST_TO_LAST"):
            data = await gql.ok(
                w.b,
                "query($f: ContactFilter, $o: RecordOrder) {"
                "  companies(filter: $f, orderBy: $o) { totalCount } }",
                f={**f, "updatedFrom": "2000-01-01T00:00:00Z"},
                o=order,
            )
            assert data["companies"]["totalCount"] == 0


@case("persons")
async def _persons(gql: GQL, w: World) -> None:
    for f in ({}, {"sourceIds": [w.ids["source"]]}, {"companyId": w.ids["company"]}, {"search": "Ada"}):
        document = (
            "query($f: ContactFilter) { persons(filter: $f, orderBy: UPDATED_FIRST_TO_LAST) { totalCount } }"
        )
        data = await gql.ok(w.b, document, f=f)
        assert data["persons"]["totalCount"] == 0


@case("deals")
async def _deals(gql: GQL, w: World) -> None:
    for f in ({}, {"personId": w.ids["person"]}, {"companyId": w.ids["company"]}, {"status": "OPEN"}):
        document = (
            "query($f: DealFilter) { deals(filter: $f, orderBy: UPDATED_FIRST_TO_LAST) { totalCount } }"
        )
        data = await gql.ok(w.b, document, f={**f, "updatedFrom": "2000-01-01T00:00:00Z"})
        assert data["deals"]["totalCount"] == 0


@case("sourceStats")
async def _stats(gql: GQL, w: World) -> None:
    document = (
        "query($u: [ID!], $a: Attribution) { sourceStats(userIds: $u, attribution: $a) { label count } }"
    )
    for ids in (None, [w.ids["user"]]):
        for attribution in ("CURRENT", "FIRST_TOUCH"):
            data = await gql.ok(w.b, document, u=ids, a=attribution)
            assert data["sourceStats"] == []


@case("sourceTrend")
async def _trend(gql: GQL, w: World) -> None:
    document = """query($u: [ID!]) { sourceTrend(interval: YEAR, createdFrom: "2000-01-01T00:00:00Z",
      createdTo: "2100-01-01T00:00:00Z", userIds: $u) { label rows { label count } } }"""
    for ids in (None, [w.ids["user"]]):
        data = await gql.ok(w.b, document, u=ids)
        assert data["sourceTrend"]
        assert all(period["rows"] == [] for period in data["sourceTrend"])


@case("deletedRecords")
async def _deleted_records(gql: GQL, w: World) -> None:
    # A deletes a deal of its own, made here (so A's snapshot is the same after)
    extra = (await gql.ok(w.a, 'mutation { createDeal(input: {title: "Extra"}) { id } }'))["createDeal"]
    await gql.ok(w.a, "mutation($id: ID!) { deleteDeal(id: $id) }", id=extra["id"])
    document = 'query { deletedRecords(since: "2000-01-01T00:00:00Z") { totalCount edges { node { id } } } }'
    assert (await gql.ok(w.b, document))["deletedRecords"] == {"totalCount": 0, "edges": []}
    assert (await gql.ok(w.a, document))["deletedRecords"]["edges"] == [{"node": {"id": extra["id"]}}]


@case("updateSourceSettings")
async def _update_settings(gql: GQL, w: World) -> None:
    await gql.ok(
        w.b, "mutation { updateSourceSettings(enabled: false, inheritFromCompany: true) { enabled } }"
    )


@case("createSource")
async def _create_source(gql: GQL, w: World) -> None:
    created = (await gql.ok(w.b, 'mutation { createSource(name: "WEBSITE") { id } }'))["createSource"]
    assert created["id"] != w.ids["source"]


@case("renameSource")
async def _rename_source(gql: GQL, w: World) -> None:
    await not_found(
        gql, w, 'mutation($id: ID!) { renameSource(id: $id, name: "Mine") { id } }', id=w.ids["source"]
    )


@case("deleteSource")
async def _delete_source(gql: GQL, w: World) -> None:
    document = (
        "mutation($id: ID!, $r: ID) { deleteSource(id: $id, confirm: true, replaceWith: $r) { deletedId } }"
    )
    await not_found(gql, w, document, id=w.ids["source"], r=None)
    own = (await gql.ok(w.b, 'mutation { createSource(name: "Own") { id } }'))["createSource"]
    await not_found(gql, w, document, id=own["id"], r=w.ids["source"])


@case("updateSource")
async def _update_source(gql: GQL, w: World) -> None:
    document = 'mutation($id: ID!) { updateSource(id: $id, input: {name: "Mine", color: "#000000"}) { id } }'
    await not_found(gql, w, document, id=w.ids["source"])


@case("reorderSources")
async def _reorder_sources(gql: GQL, w: World) -> None:
    document = "mutation($ids: [ID!]!) { reorderSources(ids: $ids) { id position } }"
    await not_found(gql, w, document, ids=[w.ids["source"]])
    own = [(await gql.ok(w.b, CREATE_SOURCE, name=n))["createSource"]["id"] for n in ("First", "Second")]
    reordered = (await gql.ok(w.b, document, ids=list(reversed(own))))["reorderSources"]
    assert [s["id"] for s in reordered] == list(reversed(own))


@case("archiveSource")
async def _archive_source(gql: GQL, w: World) -> None:
    await not_found(gql, w, "mutation($id: ID!) { archiveSource(id: $id) { id } }", id=w.ids["source"])


@case("restoreSource")
async def _restore_source(gql: GQL, w: World) -> None:
    await gql.ok(w.a, "mutation($id: ID!) { archiveSource(id: $id) { id } }", id=w.ids["source"])
    await not_found(gql, w, "mutation($id: ID!) { restoreSource(id: $id) { id } }", id=w.ids["source"])
    await gql.ok(w.a, "mutation($id: ID!) { restoreSource(id: $id) { id } }", id=w.ids["source"])


@case("mergeSources")
async def _merge_sources(gql: GQL, w: World) -> None:
    document = """mutation($ids: [ID!]!, $into: ID!) {
      mergeSources(ids: $ids, into: $into, confirm: true) { mergedIds } }"""
    own = (await gql.ok(w.b, CREATE_SOURCE, name="Own"))["createSource"]["id"]
    await not_found(gql, w, document, ids=[w.ids["source"]], into=own)
    await not_found(gql, w, document, ids=[own], into=w.ids["source"])
    other = (await gql.ok(w.b, CREATE_SOURCE, name="Website"))["createSource"]["id"]
    await gql.ok(w.b, document, ids=[other], into=own)


@case("applyCompanySource")
async def _apply_company_source(gql: GQL, w: World) -> None:
    document = """mutation($id: ID!) {
      applyCompanySource(companyId: $id, overwrite: true) { persons deals } }"""
    await not_found(gql, w, document, id=w.ids["company"])
    b = Records(gql, w.b)
    own = await b.source("Website")
    company = await b.company("Acme", sourceId=own["id"])
    await b.person("Bea", companyId=company["id"])
    applied = (await gql.ok(w.b, document, id=company["id"]))["applyCompanySource"]
    assert applied == {"persons": 1, "deals": 0}


@case("createUser")
async def _create_user(gql: GQL, w: World) -> None:
    document = 'mutation { createUser(input: {name: "Twin", email: "admin@alpha.example"}) { user { id } } }'
    await gql.ok(w.b, document)


@case("revokeUserTokens")
async def _revoke_user_tokens(gql: GQL, w: World) -> None:
    # A's admin keeps its token: the snapshot after this case is taken with it
    await not_found(gql, w, "mutation($id: ID!) { revokeUserTokens(userId: $id) }", id=w.ids["user"])


@case("createCompany")
async def _create_company(gql: GQL, w: World) -> None:
    document = "mutation($i: CreateCompanyInput!) { createCompany(input: $i) { id } }"
    await not_found(gql, w, document, i={"name": "X", "sourceId": w.ids["source"]})
    await not_found(gql, w, document, i={"name": "X", "ownerId": w.ids["user"]})


@case("updateCompany")
async def _update_company(gql: GQL, w: World) -> None:
    document = 'mutation($id: ID!) { updateCompany(id: $id, input: {name: "Mine"}) { id } }'
    await not_found(gql, w, document, id=w.ids["company"])


@case("deleteCompany")
async def _delete_company(gql: GQL, w: World) -> None:
    await not_found(gql, w, "mutation($id: ID!) { deleteCompany(id: $id) }", id=w.ids["company"])


@case("createPerson")
async def _create_person(gql: GQL, w: World) -> None:
    document = "mutation($i: CreatePersonInput!) { createPerson(input: $i) { id } }"
    await not_found(gql, w, document, i={"firstName": "X", "companyId": w.ids["company"]})


@case("updatePerson")
async def _update_person(gql: GQL, w: World) -> None:
    document = 'mutation($id: ID!) { updatePerson(id: $id, input: {firstName: "Mine"}) { id } }'
    await not_found(gql, w, document, id=w.ids["person"])


@case("deletePerson")
async def _delete_person(gql: GQL, w: World) -> None:
    await not_found(gql, w, "mutation($id: ID!) { deletePerson(id: $id) }", id=w.ids["person"])


@case("createDeal")
async def _create_deal(gql: GQL, w: World) -> None:
    document = "mutation($i: CreateDealInput!) { createDeal(input: $i) { id } }"
    await not_found(gql, w, document, i={"title": "X", "personId": w.ids["person"]})


@case("updateDeal")
async def _update_deal(gql: GQL, w: World) -> None:
    await not_found(
        gql, w, 'mutation($id: ID!) { updateDeal(id: $id, input: {title: "Mine"}) { id } }', id=w.ids["deal"]
    )


@case("deleteDeal")
async def _delete_deal(gql: GQL, w: World) -> None:
    await not_found(gql, w, "mutation($id: ID!) { deleteDeal(id: $id) }", id=w.ids["deal"])


def root_fields() -> set[str]:
    graphql_schema = schema._schema
    assert graphql_schema.mutation_type is not None
    return set(graphql_schema.query_type.fields) | set(graphql_schema.mutation_type.fields)  # type: ignore[union-attr]


def test_every_root_field_has_an_isolation_case() -> None:
    assert set(CASES) == root_fields()


@pytest.mark.parametrize("field", sorted(CASES))
async def test_account_b_cannot_reach_account_a(gql: GQL, world: World, field: str) -> None:
    # given
    before = await gql.ok(world.a, SNAPSHOT)
    # when / then: B gets NOT_FOUND, null or nothing
    await CASES[field](gql, world)
    # and A is exactly as it was (settings aside, which A itself changed in one case)
    after = await gql.ok(world.a, SNAPSHOT)
    before.pop("sourceSettings")
    after.pop("sourceSettings")
    assert after == before


def nested_object_fields(type_name: str) -> list[str]:
    graphql_type = schema._schema.get_type(type_name)
    assert isinstance(graphql_type, GraphQLObjectType)
    return sorted(
        name
        for name, f in graphql_type.fields.items()
        if isinstance(get_named_type(f.type), GraphQLObjectType)
    )


@pytest.mark.parametrize(
    ("type_name", "list_field"), [("Person", "persons"), ("Deal", "deals"), ("Company", "companies")]
)
async def test_nested_fields_never_load_another_accounts_records(
    gql: GQL, world: World, type_name: str, list_field: str
) -> None:
    # given: B's records pointing at A's (a state the API cannot create; loaders must still scope)
    b = Records(gql, world.b)
    await b.company("B Corp")
    person = await b.person("Bea")
    deal = await b.deal("B deal")
    corrupt = {
        "company_id": world.ids["company"],
        "source_id": world.ids["source"],
        "first_source_id": world.ids["source"],
    }
    await Person.filter(id=person["id"]).update(**corrupt)
    await Deal.filter(id=deal["id"]).update(**corrupt, person_id=world.ids["person"])
    # connections (sourceHistory) have their own case below
    fields = [f for f in nested_object_fields(type_name) if f != "owner" and not f.endswith("History")]
    document = f"{{ {list_field} {{ edges {{ node {{ id {' '.join(f + ' { id }' for f in fields)} }} }} }} }}"
    # when
    data = await gql.ok(world.b, document)
    # then
    assert not mentions_a(data, world)
    for edge in data[list_field]["edges"]:
        assert all(
            edge["node"][f] is None for f in fields if f in ("company", "person", "source", "firstSource")
        )


HISTORY = """query($id: ID!) { person(id: $id) { sourceHistory { totalCount edges { node {
  reason fromName toName from { id } to { id } by { id } } } } } }"""


async def test_history_of_another_accounts_record_is_unreachable(gql: GQL, world: World) -> None:
    # given: B's person, an entry of A's account that names B's person (a state the API cannot
    # create), and an entry of B's person that names A's source and user
    b = Records(gql, world.b)
    person = await b.person("Bea")
    await SourceChange.create(
        account_id=world.a.account_id, record_kind=RecordKind.PERSON, record_id=person["id"],
        at=datetime.now(UTC), reason=SourceChangeReason.EDITED, to_name="A's secret",
    )  # fmt: skip
    await SourceChange.create(
        account_id=world.b.account_id, record_kind=RecordKind.PERSON, record_id=person["id"],
        at=datetime.now(UTC), reason=SourceChangeReason.EDITED, to_source_id=world.ids["source"],
        by_id=world.a.user_id, to_name="Website",
    )  # fmt: skip
    # when: B reads its person's history, and A's person by id
    own = await gql.ok(world.b, HISTORY, id=person["id"])
    theirs = await gql.ok(world.b, HISTORY, id=world.ids["person"])
    listed = await gql.ok(world.b, "{ persons { edges { node { sourceHistory { totalCount } } } } }")
    # then
    assert own["person"]["sourceHistory"] == {
        "totalCount": 1,
        "edges": [{"node": {"reason": "EDITED", "fromName": None, "toName": "Website",
                            "from": None, "to": None, "by": None}}],
    }  # fmt: skip
    assert theirs["person"] is None
    assert listed["persons"]["edges"] == [{"node": {"sourceHistory": {"totalCount": 1}}}]
    # and A's own history of its person is what it was
    mine = await gql.ok(world.a, HISTORY, id=world.ids["person"])
    assert [e["node"]["reason"] for e in mine["person"]["sourceHistory"]["edges"]] == ["CREATED"]
