"""Deleted and merged sources are retired, not rewritten into every record (resolvers/aliases.py).

Whatever a record stores, every answer names the source it means: after chains of merges and
deletes, in the record's fields, filters, usage counts, statistics, history, edits, inheritance
and applyCompanySource; and a retired source is gone from every answer, its name free again.
"""

from __future__ import annotations

from typing import Any

import pytest

from models import Person, Source
from tests.documents import (
    APPLY_COMPANY_SOURCE,
    CREATE_SOURCE,
    DELETE_SOURCE,
    ENABLE_INHERITANCE,
    MERGE_SOURCES,
    SOURCE,
    UPDATE_PERSON,
)
from tests.graphql import GQL, Caller, Records
from tests.stored import source_meant

READ = """query($id: ID!) { person(id: $id) { id sourceOrigin source { id name } firstSource { id }
  sourceHistory { edges { node { reason fromName toName from { id } to { id } } } } } }"""
FILTERED = """query($ids: [ID!], $without: Boolean) {
  persons(filter: {sourceIds: $ids, withoutSource: $without}) { edges { node { id } } } }"""
STATS = "{ sourceStats(contactKind: PERSONS) { source { id } label count } }"
FIRST_TOUCH = "{ sourceStats(contactKind: PERSONS, attribution: FIRST_TOUCH) { source { id } label count } }"
NODE = "query($id: ID!) { node(id: $id) { id } }"


async def merge(gql: GQL, admin: Caller, ids: list[str], into: str) -> dict[str, Any]:
    data = await gql.ok(admin, MERGE_SOURCES, ids=ids, into=into, confirm=True)
    return data["mergeSources"]  # type: ignore[no-any-return]


async def filtered(gql: GQL, admin: Caller, **variables: Any) -> set[str]:
    data = await gql.ok(admin, FILTERED, **variables)
    return {e["node"]["id"] for e in data["persons"]["edges"]}


async def stats(gql: GQL, admin: Caller, document: str = STATS) -> dict[str, int]:
    rows = (await gql.ok(admin, document))["sourceStats"]
    return {r["label"]: r["count"] for r in rows}


async def test_a_chain_of_merges_lands_every_record_on_the_last_target_without_rewriting_it(
    gql: GQL, admin: Caller, alpha: Records
) -> None:
    # given: a person on A, merged into B, then B merged into C
    a, b, c = [await alpha.source(n) for n in ("A", "B", "C")]
    person = await alpha.person("Ada", sourceId=a["id"])
    on_b = await alpha.person("Bea", sourceId=b["id"])
    await merge(gql, admin, [a["id"]], b["id"])
    # when
    moved = await merge(gql, admin, [b["id"]], c["id"])
    # then: both moved with the second merge, and read as C everywhere
    assert moved["moved"]["persons"] == 2
    assert moved["into"]["usage"]["persons"] == 2
    read = (await gql.ok(admin, READ, id=person["id"]))["person"]
    assert read["source"] == {"id": c["id"], "name": "C"}
    assert read["firstSource"] == {"id": c["id"]}
    assert read["sourceOrigin"] == "CHOSEN"
    entries = [e["node"] for e in read["sourceHistory"]["edges"]]
    assert [(e["reason"], e["fromName"], e["toName"]) for e in entries] == [
        ("MERGED", "B", "C"),
        ("MERGED", "A", "B"),
        ("CREATED", None, "A"),
    ]
    # a retired source reads as null in the history, as a deleted one always did
    assert entries[0]["from"] is None
    assert entries[0]["to"] == {"id": c["id"]}
    assert await filtered(gql, admin, ids=[c["id"]]) == {person["id"], on_b["id"]}
    assert await stats(gql, admin) == {"C": 2}
    assert await stats(gql, admin, FIRST_TOUCH) == {"C": 2}
    # in the database: the record still stores A, which now stands for C
    stored = await Person.get(id=person["id"])
    assert str(stored.source_id) == a["id"]
    assert await source_meant(stored.source_id) == c["id"]


async def test_deleting_the_target_of_a_merge_leaves_the_merged_records_without_a_source(
    gql: GQL, admin: Caller, alpha: Records
) -> None:
    # given
    a, b = [await alpha.source(n) for n in ("A", "B")]
    person = await alpha.person("Ada", sourceId=a["id"])
    await merge(gql, admin, [a["id"]], b["id"])
    # when
    data = await gql.ok(admin, DELETE_SOURCE, id=b["id"], confirm=True)
    # then
    assert data["deleteSource"]["detached"]["persons"] == 1
    read = (await gql.ok(admin, READ, id=person["id"]))["person"]
    assert read["source"] is None
    assert read["firstSource"] is None
    assert read["sourceOrigin"] is None
    assert await filtered(gql, admin, without=True) == {person["id"]}
    assert await filtered(gql, admin, without=False) == set()
    assert await stats(gql, admin) == {"No source": 1}
    assert await stats(gql, admin, FIRST_TOUCH) == {"No source": 1}


async def test_filtering_by_a_retired_source_id_matches_nothing(
    gql: GQL, admin: Caller, alpha: Records
) -> None:
    # given: A merged into B, C deleted; a person on each
    a, b, c = [await alpha.source(n) for n in ("A", "B", "C")]
    on_a = await alpha.person("Ada", sourceId=a["id"])
    await alpha.person("Cy", sourceId=c["id"])
    await merge(gql, admin, [a["id"]], b["id"])
    await gql.ok(admin, DELETE_SOURCE, id=c["id"], confirm=True)
    # when / then: a retired id is an unknown one; the source it stood for still matches
    assert await filtered(gql, admin, ids=[a["id"]]) == set()
    assert await filtered(gql, admin, ids=[c["id"]]) == set()
    assert await filtered(gql, admin, ids=[a["id"], b["id"]]) == {on_a["id"]}


async def test_a_retired_source_is_gone_from_every_answer_and_its_name_is_free(
    gql: GQL, admin: Caller, alpha: Records
) -> None:
    # given
    a, b = [await alpha.source(n) for n in ("Webinar", "Web")]
    await merge(gql, admin, [a["id"]], b["id"])
    # when
    again = (await gql.ok(admin, CREATE_SOURCE, name="webinar"))["createSource"]
    # then
    assert again["name"] == "webinar"
    assert again["id"] != a["id"]
    assert (await gql.ok(admin, SOURCE, id=a["id"]))["source"] is None
    assert (await gql.ok(admin, NODE, id=a["id"]))["node"] is None
    assert await gql.code(admin, MERGE_SOURCES, ids=[a["id"]], into=b["id"], confirm=True) == "NOT_FOUND"
    assert await gql.code(admin, DELETE_SOURCE, id=a["id"], confirm=True) == "NOT_FOUND"
    person = await alpha.person("Ada")
    assert await gql.code(admin, UPDATE_PERSON, id=person["id"], input={"sourceId": a["id"]}) == "NOT_FOUND"
    sources = (await gql.ok(admin, "{ sources(includeArchived: true) { name position } }"))["sources"]
    assert sources == [{"name": "Web", "position": 0}, {"name": "webinar", "position": 1}]


async def test_re_sending_the_source_a_merged_record_is_on_changes_nothing(
    gql: GQL, admin: Caller, alpha: Records
) -> None:
    # given
    a, b = [await alpha.source(n) for n in ("A", "B")]
    person = await alpha.person("Ada", sourceId=a["id"])
    await merge(gql, admin, [a["id"]], b["id"])
    before = (await gql.ok(admin, READ, id=person["id"]))["person"]
    # when
    await gql.ok(admin, UPDATE_PERSON, id=person["id"], input={"sourceId": b["id"]})
    # then: no entry, nothing moved
    after = (await gql.ok(admin, READ, id=person["id"]))["person"]
    assert after == before
    assert str((await Person.get(id=person["id"])).source_id) == a["id"]


async def test_clearing_the_source_of_a_record_whose_source_was_deleted_writes_no_entry(
    gql: GQL, admin: Caller, alpha: Records
) -> None:
    # given: a person whose source was deleted without replacement (so it has none)
    a = await alpha.source("A")
    person = await alpha.person("Ada", sourceId=a["id"])
    await gql.ok(admin, DELETE_SOURCE, id=a["id"], confirm=True)
    before = (await gql.ok(admin, READ, id=person["id"]))["person"]
    # when
    await gql.ok(admin, UPDATE_PERSON, id=person["id"], input={"sourceId": None})
    # then: clearing an empty source is no change
    assert (await gql.ok(admin, READ, id=person["id"]))["person"] == before
    assert [e["node"]["reason"] for e in before["sourceHistory"]["edges"]] == ["DELETED", "CREATED"]


async def test_an_edit_of_a_merged_record_logs_the_source_it_was_on(
    gql: GQL, admin: Caller, alpha: Records
) -> None:
    # given
    a, b, c = [await alpha.source(n) for n in ("A", "B", "C")]
    person = await alpha.person("Ada", sourceId=a["id"])
    await merge(gql, admin, [a["id"]], b["id"])
    # when
    await gql.ok(admin, UPDATE_PERSON, id=person["id"], input={"sourceId": c["id"]})
    # then
    read = (await gql.ok(admin, READ, id=person["id"]))["person"]
    newest = read["sourceHistory"]["edges"][0]["node"]
    assert (newest["reason"], newest["fromName"], newest["from"], newest["toName"]) == (
        "EDITED",
        "B",
        {"id": b["id"]},
        "C",
    )
    assert read["firstSource"] == {"id": b["id"]}  # the first source followed the merge


async def test_inheritance_and_apply_copy_the_source_a_merged_company_is_on(
    gql: GQL, admin: Caller, alpha: Records
) -> None:
    # given: a company on A, merged into B; one of its persons without a source
    await gql.ok(admin, ENABLE_INHERITANCE)
    a, b = [await alpha.source(n) for n in ("A", "B")]
    company = await alpha.company("Initech", sourceId=a["id"])
    bare = await alpha.person("Bare", companyId=company["id"], sourceId=None)
    on_a = await alpha.person("OnA", companyId=company["id"])  # inherits A
    await merge(gql, admin, [a["id"]], b["id"])
    # when
    inherited = await alpha.person("New", companyId=company["id"])
    applied = (await gql.ok(admin, APPLY_COMPANY_SOURCE, companyId=company["id"], overwrite=True))[
        "applyCompanySource"
    ]
    # then: the new person inherits B; apply changes only the one without a source
    assert inherited["source"] == {"id": b["id"], "name": "B"}
    assert applied == {"company": {"id": company["id"], "source": {"id": b["id"]}}, "persons": 1, "deals": 0}
    for person in (bare, on_a, inherited):
        assert (await gql.ok(admin, READ, id=person["id"]))["person"]["source"]["id"] == b["id"]


@pytest.mark.parametrize("replace", [False, True])
async def test_usage_counts_the_records_of_merged_sources(
    gql: GQL, admin: Caller, alpha: Records, replace: bool
) -> None:
    # given: A merged into B; B then deleted, with or without C as its replacement
    a, b, c = [await alpha.source(n) for n in ("A", "B", "C")]
    await alpha.company("Initech", sourceId=a["id"])
    await alpha.deal("Licence", sourceId=b["id"])
    await alpha.person("Ada", sourceId=c["id"])
    await merge(gql, admin, [a["id"]], b["id"])
    # when
    await gql.ok(admin, DELETE_SOURCE, id=b["id"], confirm=True, replaceWith=c["id"] if replace else None)
    # then
    usage = (await gql.ok(admin, SOURCE, id=c["id"]))["source"]["usage"]
    assert usage == (
        {"companies": 1, "persons": 1, "deals": 1} if replace else {"companies": 0, "persons": 1, "deals": 0}
    )
    retired = await Source.all_objects.filter(id__in=[a["id"], b["id"]]).values_list(
        "merged_into_id", flat=True
    )
    assert {None if r is None else str(r) for r in retired} == ({c["id"]} if replace else {None})
