"""Attribution: single records followed through a life, through GraphQL.

At each step the record's `sourceOrigin`, `firstSource`, `firstSourceAt` and its whole
`sourceHistory` (reasons, names, `by`, order) are compared with what the contract says.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from models import SourceChange
from tests.documents import (
    APPLY_COMPANY_SOURCE,
    DELETE_SOURCE,
    ENABLE_INHERITANCE,
    MERGE_SOURCES,
)
from tests.graphql import GQL, Caller, Records

KINDS = ["company", "person", "deal"]
ENTRY = "at reason by { id } from { id name } fromName to { id name } toName"
ATTRIBUTION = f"""updatedAt createdAt source {{ id }} sourceOrigin firstSource {{ id name }} firstSourceAt
  sourceHistory {{ totalCount edges {{ node {{ {ENTRY} }} }} }}"""
READ = {kind: f"query($id: ID!) {{ {kind}(id: $id) {{ {ATTRIBUTION} }} }}" for kind in KINDS}
UPDATE = {
    kind: f"""mutation($id: ID!, $input: Update{kind.title()}Input!) {{
      update{kind.title()}(id: $id, input: $input) {{ id updatedAt }} }}"""
    for kind in KINDS
}
HISTORY_PAGE = """query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  person(id: $id) { sourceHistory(first: $first, after: $after, last: $last, before: $before) {
    totalCount edges { cursor node { reason toName } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }"""


@dataclass(frozen=True)
class Entry:
    """A history entry as a client reads it, `at` aside (checked against the record's times)."""

    reason: str
    by: str | None
    from_name: str | None
    to_name: str | None
    from_id: str | None = None
    to_id: str | None = None

    @classmethod
    def of(cls, node: dict[str, Any]) -> Entry:
        return cls(
            reason=node["reason"],
            by=node["by"] and node["by"]["id"],
            from_name=node["fromName"],
            to_name=node["toName"],
            from_id=node["from"] and node["from"]["id"],
            to_id=node["to"] and node["to"]["id"],
        )


def entry(
    reason: str, by: Caller, source_from: dict[str, Any] | str | None, source_to: dict[str, Any] | str | None
) -> Entry:
    """An expected entry; a source given as a dict is still there, as a str only its name is left."""

    def name(s: dict[str, Any] | str | None) -> str | None:
        return s["name"] if isinstance(s, dict) else s

    def id_(s: dict[str, Any] | str | None) -> str | None:
        return s["id"] if isinstance(s, dict) else None

    return Entry(reason, by.user_id, name(source_from), name(source_to), id_(source_from), id_(source_to))


async def read(gql: GQL, who: Caller, kind: str, record_id: str) -> dict[str, Any]:
    record: dict[str, Any] = (await gql.ok(who, READ[kind], id=record_id))[kind]
    return record


def history(record: dict[str, Any]) -> list[Entry]:
    edges = record["sourceHistory"]["edges"]
    assert record["sourceHistory"]["totalCount"] == len(edges)
    return [Entry.of(e["node"]) for e in edges]


def first_source(record: dict[str, Any]) -> tuple[str | None, str | None]:
    first = record["firstSource"]
    return (first and first["id"], record["firstSourceAt"])


async def create(records: Records, kind: str, **fields: Any) -> dict[str, Any]:
    make = {"company": records.company, "person": records.person, "deal": records.deal}[kind]
    return await make(**fields)


async def update(gql: GQL, who: Caller, kind: str, record_id: str, **fields: Any) -> str:
    """The record's updatedAt after the edit."""
    data = await gql.ok(who, UPDATE[kind], id=record_id, input=fields)
    updated_at: str = data[f"update{kind.title()}"]["updatedAt"]
    return updated_at


@pytest.fixture
async def sources(alpha: Records) -> dict[str, dict[str, Any]]:
    return {name: await alpha.source(name) for name in ("Website", "Referral", "Fair", "Mail")}


@pytest.mark.parametrize("kind", KINDS)
async def test_chosen_then_edited_cleared_and_edited_again(
    gql: GQL, admin: Caller, user: Caller, alpha: Records, sources: dict[str, Any], kind: str
) -> None:
    web, referral, fair = sources["Website"], sources["Referral"], sources["Fair"]
    # created with a chosen source
    created = await create(alpha, kind, sourceId=web["id"])
    record = await read(gql, admin, kind, created["id"])
    assert record["sourceOrigin"] == "CHOSEN"
    assert first_source(record) == (web["id"], record["createdAt"])
    assert history(record) == [entry("CREATED", admin, None, web)]
    assert record["sourceHistory"]["edges"][0]["node"]["at"] == record["createdAt"]

    # edited by another user
    edited_at = await update(gql, user, kind, created["id"], sourceId=referral["id"])
    record = await read(gql, admin, kind, created["id"])
    assert record["sourceOrigin"] == "CHOSEN"
    assert first_source(record) == (web["id"], record["createdAt"])
    assert history(record) == [entry("EDITED", user, web, referral), entry("CREATED", admin, None, web)]
    assert record["sourceHistory"]["edges"][0]["node"]["at"] == edited_at

    # the same source sent again, and an edit that leaves the source out: no entry
    await update(gql, user, kind, created["id"], sourceId=referral["id"])
    await update(gql, user, kind, created["id"], ownerId=user.user_id)
    again = await read(gql, admin, kind, created["id"])
    assert history(again) == history(record)
    assert again["sourceOrigin"] == "CHOSEN"

    # cleared: an entry to none, no origin, the first source stays
    cleared_at = await update(gql, admin, kind, created["id"], sourceId=None)
    record = await read(gql, admin, kind, created["id"])
    assert record["source"] is None
    assert record["sourceOrigin"] is None
    assert first_source(record) == (web["id"], record["createdAt"])
    assert history(record)[0] == entry("EDITED", admin, referral, None)
    assert record["sourceHistory"]["edges"][0]["node"]["at"] == cleared_at

    # cleared again: nothing changes
    await update(gql, admin, kind, created["id"], sourceId=None)
    assert len(history(await read(gql, admin, kind, created["id"]))) == 3

    # edited again: chosen, still first-touched by Website
    await update(gql, user, kind, created["id"], sourceId=fair["id"])
    record = await read(gql, admin, kind, created["id"])
    assert record["sourceOrigin"] == "CHOSEN"
    assert first_source(record) == (web["id"], record["createdAt"])
    assert history(record) == [
        entry("EDITED", user, None, fair),
        entry("EDITED", admin, referral, None),
        entry("EDITED", user, web, referral),
        entry("CREATED", admin, None, web),
    ]
    times = [e["node"]["at"] for e in record["sourceHistory"]["edges"]]
    assert times == sorted(times, reverse=True)


@pytest.mark.parametrize("kind", KINDS)
async def test_created_without_a_source_the_first_edit_sets_the_first_source(
    gql: GQL, admin: Caller, alpha: Records, sources: dict[str, Any], kind: str
) -> None:
    # given
    created = await create(alpha, kind)
    record = await read(gql, admin, kind, created["id"])
    assert (record["sourceOrigin"], first_source(record), history(record)) == (None, (None, None), [])
    # when
    edited_at = await update(gql, admin, kind, created["id"], sourceId=sources["Mail"]["id"])
    # then
    record = await read(gql, admin, kind, created["id"])
    assert record["sourceOrigin"] == "CHOSEN"
    assert first_source(record) == (sources["Mail"]["id"], edited_at)
    assert history(record) == [entry("EDITED", admin, None, sources["Mail"])]


@pytest.mark.parametrize("kind", ["person", "deal"])
async def test_created_by_inheritance(
    gql: GQL, admin: Caller, user: Caller, alpha: Records, sources: dict[str, Any], kind: str
) -> None:
    # given
    await gql.ok(admin, ENABLE_INHERITANCE)
    web = sources["Website"]
    company = await alpha.company("Acme", sourceId=web["id"])
    # when
    inherited = await create(Records(gql, user), kind, companyId=company["id"])
    chosen = await create(Records(gql, user), kind, companyId=company["id"], sourceId=web["id"])
    # then: copied is INHERITED, chosen (even the same source) is CHOSEN
    record = await read(gql, admin, kind, inherited["id"])
    assert record["sourceOrigin"] == "INHERITED"
    assert first_source(record) == (web["id"], record["createdAt"])
    assert history(record) == [entry("INHERITED", user, None, web)]
    record = await read(gql, admin, kind, chosen["id"])
    assert record["sourceOrigin"] == "CHOSEN"
    assert history(record) == [entry("CREATED", user, None, web)]
    # and an edit makes an inherited source chosen
    await update(gql, admin, kind, inherited["id"], sourceId=sources["Fair"]["id"])
    record = await read(gql, admin, kind, inherited["id"])
    assert record["sourceOrigin"] == "CHOSEN"
    assert first_source(record)[0] == web["id"]
    assert [e.reason for e in history(record)] == ["EDITED", "INHERITED"]


@pytest.mark.parametrize("kind", ["person", "deal"])
async def test_applied_from_the_company(
    gql: GQL, admin: Caller, user: Caller, alpha: Records, sources: dict[str, Any], kind: str
) -> None:
    # given: one record of the company without a source, one with another source
    web, referral = sources["Website"], sources["Referral"]
    company = await alpha.company("Acme", sourceId=web["id"])
    empty = await create(alpha, kind, companyId=company["id"])
    other = await create(alpha, kind, companyId=company["id"], sourceId=referral["id"])
    # when: applied by a user, without overwrite
    await gql.ok(user, APPLY_COMPANY_SOURCE, companyId=company["id"], overwrite=False)
    # then: only the empty one changed
    record = await read(gql, admin, kind, empty["id"])
    assert record["sourceOrigin"] == "INHERITED"
    assert first_source(record) == (web["id"], record["updatedAt"])
    assert history(record) == [entry("APPLIED", user, None, web)]
    assert record["sourceHistory"]["edges"][0]["node"]["at"] == record["updatedAt"]
    untouched = await read(gql, admin, kind, other["id"])
    assert untouched["sourceOrigin"] == "CHOSEN"
    assert history(untouched) == [entry("CREATED", admin, None, referral)]

    # when: with overwrite, twice
    await gql.ok(admin, APPLY_COMPANY_SOURCE, companyId=company["id"], overwrite=True)
    await gql.ok(admin, APPLY_COMPANY_SOURCE, companyId=company["id"], overwrite=True)
    # then: the other one is now inherited, with its first source kept; nothing logged twice
    record = await read(gql, admin, kind, other["id"])
    assert record["sourceOrigin"] == "INHERITED"
    assert first_source(record) == (referral["id"], record["createdAt"])
    assert history(record) == [
        entry("APPLIED", admin, referral, web),
        entry("CREATED", admin, None, referral),
    ]
    assert len(history(await read(gql, admin, kind, empty["id"]))) == 1


@pytest.mark.parametrize("kind", KINDS)
async def test_merged_keeps_origin_and_moves_first_sources(
    gql: GQL, admin: Caller, alpha: Records, sources: dict[str, Any], kind: str
) -> None:
    # given: one record on Website, one first-touched by Website but now on Mail
    web, referral, mail = sources["Website"], sources["Referral"], sources["Mail"]
    on_web = await create(alpha, kind, sourceId=web["id"])
    moved_on = await create(alpha, kind, sourceId=web["id"])
    await update(gql, admin, kind, moved_on["id"], sourceId=mail["id"])
    before = await read(gql, admin, kind, moved_on["id"])
    # when
    await gql.ok(admin, MERGE_SOURCES, ids=[web["id"]], into=referral["id"], confirm=True)
    # then: names stay on the old entries, the merged source is gone from them
    record = await read(gql, admin, kind, on_web["id"])
    assert record["sourceOrigin"] == "CHOSEN"
    assert first_source(record) == (referral["id"], record["createdAt"])
    assert history(record) == [
        entry("MERGED", admin, "Website", referral),
        entry("CREATED", admin, None, "Website"),
    ]
    assert record["sourceHistory"]["edges"][0]["node"]["at"] == record["updatedAt"]
    record = await read(gql, admin, kind, moved_on["id"])
    assert record["source"] == {"id": mail["id"]}
    assert first_source(record) == (referral["id"], record["createdAt"])
    assert record["updatedAt"] > before["updatedAt"]  # its first source changed
    assert history(record) == [
        entry("EDITED", admin, "Website", mail),
        entry("CREATED", admin, None, "Website"),
    ]


@pytest.mark.parametrize("kind", ["person", "deal"])
async def test_replaced_on_delete_keeps_an_inherited_origin(
    gql: GQL, admin: Caller, user: Caller, alpha: Records, sources: dict[str, Any], kind: str
) -> None:
    # given
    await gql.ok(admin, ENABLE_INHERITANCE)
    web, fair = sources["Website"], sources["Fair"]
    company = await alpha.company("Acme", sourceId=web["id"])
    inherited = await create(Records(gql, user), kind, companyId=company["id"])
    # when
    await gql.ok(admin, DELETE_SOURCE, id=web["id"], confirm=True, replaceWith=fair["id"])
    # then
    record = await read(gql, admin, kind, inherited["id"])
    assert record["source"] == {"id": fair["id"]}
    assert record["sourceOrigin"] == "INHERITED"
    assert first_source(record) == (fair["id"], record["createdAt"])
    assert history(record) == [
        entry("REPLACED", admin, "Website", fair),
        entry("INHERITED", user, None, "Website"),
    ]
    company_record = await read(gql, admin, "company", company["id"])
    assert history(company_record) == [
        entry("REPLACED", admin, "Website", fair),
        entry("CREATED", admin, None, "Website"),
    ]


@pytest.mark.parametrize("kind", KINDS)
async def test_deleted_without_replacement_clears_source_origin_and_first_source(
    gql: GQL, admin: Caller, alpha: Records, sources: dict[str, Any], kind: str
) -> None:
    # given: one record on Website, one first-touched by Website but now on Mail
    web, mail, fair = sources["Website"], sources["Mail"], sources["Fair"]
    on_web = await create(alpha, kind, sourceId=web["id"])
    moved_on = await create(alpha, kind, sourceId=web["id"])
    await update(gql, admin, kind, moved_on["id"], sourceId=mail["id"])
    # when
    await gql.ok(admin, DELETE_SOURCE, id=web["id"], confirm=True, replaceWith=None)
    # then: no source, no origin, no first source; when it first got one stays known
    record = await read(gql, admin, kind, on_web["id"])
    assert (record["source"], record["sourceOrigin"]) == (None, None)
    assert first_source(record) == (None, record["createdAt"])
    assert history(record) == [
        entry("DELETED", admin, "Website", None),
        entry("CREATED", admin, None, "Website"),
    ]
    other = await read(gql, admin, kind, moved_on["id"])
    assert other["source"] == {"id": mail["id"]}
    assert other["sourceOrigin"] == "CHOSEN"
    assert first_source(other) == (None, other["createdAt"])
    assert [e.reason for e in history(other)] == ["EDITED", "CREATED"]
    # and a later source is not its first
    await update(gql, admin, kind, on_web["id"], sourceId=fair["id"])
    record = await read(gql, admin, kind, on_web["id"])
    assert record["sourceOrigin"] == "CHOSEN"
    assert first_source(record) == (None, record["createdAt"])
    assert history(record)[0] == entry("EDITED", admin, None, fair)


async def test_history_pages_newest_first_in_both_directions(
    gql: GQL, admin: Caller, alpha: Records, sources: dict[str, Any]
) -> None:
    # given: five changes
    names = ["Website", "Referral", "Fair", "Mail"]
    person = await alpha.person(sourceId=sources["Website"]["id"])
    for name in names[1:]:
        await update(gql, admin, "person", person["id"], sourceId=sources[name]["id"])
    await update(gql, admin, "person", person["id"], sourceId=None)
    newest_first = [None, "Mail", "Fair", "Referral", "Website"]

    async def page(**arguments: Any) -> dict[str, Any]:
        data = await gql.ok(admin, HISTORY_PAGE, id=person["id"], **arguments)
        found: dict[str, Any] = data["person"]["sourceHistory"]
        return found

    # when / then: forward, two at a time
    first = await page(first=2)
    second = await page(first=2, after=first["pageInfo"]["endCursor"])
    third = await page(first=2, after=second["pageInfo"]["endCursor"])
    assert [e["node"]["toName"] for e in first["edges"] + second["edges"] + third["edges"]] == newest_first
    assert [p["pageInfo"]["hasNextPage"] for p in (first, second, third)] == [True, True, False]
    assert [p["pageInfo"]["hasPreviousPage"] for p in (first, second, third)] == [False, True, True]
    assert {p["totalCount"] for p in (first, second, third)} == {5}
    assert second["pageInfo"]["startCursor"] == second["edges"][0]["cursor"]
    # backward from the end
    last = await page(last=2)
    before = await page(last=2, before=last["pageInfo"]["startCursor"])
    assert [e["node"]["toName"] for e in before["edges"] + last["edges"]] == newest_first[1:]
    assert (last["pageInfo"]["hasPreviousPage"], last["pageInfo"]["hasNextPage"]) == (True, False)
    # the default page is 20
    assert len((await page())["edges"]) == 5


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"first": 0}, "first"),
        ({"first": 201}, "first"),
        ({"first": 1, "last": 1}, "last"),
        ({"after": "not-a-cursor"}, "after"),
        ({"before": "WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwgIngiXQ"}, "before"),
    ],
)
async def test_history_paging_refuses_bad_arguments(
    gql: GQL, admin: Caller, alpha: Records, sources: dict[str, Any], arguments: dict[str, Any], field: str
) -> None:
    person = await alpha.person(sourceId=sources["Website"]["id"])
    error = await gql.error(admin, HISTORY_PAGE, id=person["id"], **arguments)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}


async def test_a_cursor_of_a_record_list_is_not_a_history_cursor(
    gql: GQL, admin: Caller, alpha: Records, sources: dict[str, Any]
) -> None:
    person = await alpha.person(sourceId=sources["Website"]["id"])
    listed = await gql.ok(admin, "{ persons(first: 1) { pageInfo { endCursor } } }")
    error = await gql.error(
        admin, HISTORY_PAGE, id=person["id"], after=listed["persons"]["pageInfo"]["endCursor"]
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}


async def test_a_failed_edit_writes_no_history(
    gql: GQL, admin: Caller, alpha: Records, sources: dict[str, Any]
) -> None:
    # given
    person = await alpha.person(sourceId=sources["Website"]["id"])
    await gql.ok(admin, "mutation($id: ID!) { archiveSource(id: $id) { id } }", id=sources["Fair"]["id"])
    # when
    error = await gql.error(
        admin, UPDATE["person"], id=person["id"], input={"sourceId": sources["Fair"]["id"]}
    )
    # then
    assert error["extensions"]["code"] == "SOURCE_ARCHIVED"
    record = await read(gql, admin, "person", person["id"])
    assert history(record) == [entry("CREATED", admin, None, sources["Website"])]


async def test_origin_filters_lists(gql: GQL, admin: Caller, alpha: Records, sources: dict[str, Any]) -> None:
    # given
    await gql.ok(admin, ENABLE_INHERITANCE)
    web = sources["Website"]
    company = await alpha.company("Acme", sourceId=web["id"])
    inherited_person = await alpha.person("In", companyId=company["id"])
    chosen_person = await alpha.person("Ch", companyId=company["id"], sourceId=web["id"])
    await alpha.person("None", companyId=company["id"], sourceId=None)
    inherited_deal = await alpha.deal("In", companyId=company["id"])
    # when
    data = await gql.ok(
        admin,
        """{ inherited: persons(filter: {origin: INHERITED}) { edges { node { id } } }
             chosen: persons(filter: {origin: CHOSEN}) { edges { node { id } } }
             companies(filter: {origin: CHOSEN}) { edges { node { id } } }
             deals(filter: {origin: INHERITED}) { edges { node { id } } } }""",
    )

    # then
    def ids(field: str) -> list[str]:
        return [e["node"]["id"] for e in data[field]["edges"]]

    assert ids("inherited") == [inherited_person["id"]]
    assert ids("chosen") == [chosen_person["id"]]
    assert ids("companies") == [company["id"]]
    assert ids("deals") == [inherited_deal["id"]]


# --- statistics by first touch --------------------------------------------------------------

FIRST_TOUCH = """query($kind: ContactKind!, $users: [ID!], $attribution: Attribution) {
  sourceStats(contactKind: $kind, userIds: $users, attribution: $attribution) {
    source { id } label count persons companies deals { count totalValue won wonValue } } }"""
LISTED = """{
  companies(first: 200) { edges { node { id owner { id } firstSource { id name } } } }
  persons(first: 200) { edges { node { id owner { id } firstSource { id name } } } }
  deals(first: 200) { edges { node { id owner { id } value status firstSource { id name } } } } }"""


@pytest.fixture
async def touched(gql: GQL, admin: Caller, user: Caller, alpha: Records, sources: dict[str, Any]) -> None:
    """Records whose first sources differ from their current ones in every way the API allows."""
    await gql.ok(admin, ENABLE_INHERITANCE)
    web, referral, fair, mail = (sources[n] for n in ("Website", "Referral", "Fair", "Mail"))
    acme = await alpha.company("Acme", sourceId=web["id"])
    await alpha.company("Bare")
    edited = await alpha.company("Edited", sourceId=fair["id"], ownerId=user.user_id)
    await update(gql, admin, "company", edited["id"], sourceId=referral["id"])
    await alpha.person("Inherits", companyId=acme["id"])
    cleared = await alpha.person("Cleared", sourceId=mail["id"], ownerId=user.user_id)
    await update(gql, admin, "person", cleared["id"], sourceId=None)
    late = await alpha.person("Late")
    await update(gql, admin, "person", late["id"], sourceId=fair["id"])
    await alpha.person("Chosen", sourceId=referral["id"])
    await alpha.deal("Won", companyId=acme["id"], value="1200.50", status="WON")
    moved = await alpha.deal("Moved", sourceId=mail["id"], value="99.99", status="LOST", ownerId=user.user_id)
    await update(gql, admin, "deal", moved["id"], sourceId=web["id"])
    await alpha.deal("Nothing", value="10")
    merged = await alpha.source("Merged away")
    await alpha.person("On merged", sourceId=merged["id"])
    await gql.ok(admin, MERGE_SOURCES, ids=[merged["id"]], into=fair["id"], confirm=True)
    doomed = await alpha.source("Deleted")
    gone = await alpha.person("On deleted", sourceId=doomed["id"])
    await update(gql, admin, "person", gone["id"], sourceId=web["id"])
    await gql.ok(admin, DELETE_SOURCE, id=doomed["id"], confirm=True, replaceWith=None)


def counted_by_hand(listed: dict[str, Any], kind: str, owners: list[str] | None) -> dict[str | None, Any]:
    """label -> (count, persons, companies, deals, their value in cents, won), by firstSource."""
    rows: dict[str | None, list[int]] = {}

    def add(node: dict[str, Any], column: int, value: int = 1) -> None:
        if owners is not None and node["owner"]["id"] not in owners:
            return
        label = node["firstSource"]["name"] if node["firstSource"] else "No source"
        rows.setdefault(label, [0] * 6)[column] += value

    for contact, column in (("persons", 1), ("companies", 2)):
        if kind in ("ALL", contact.upper()):
            for edge in listed[contact]["edges"]:
                add(edge["node"], 0)
                add(edge["node"], column)
    for edge in listed["deals"]["edges"]:
        deal = edge["node"]
        add(deal, 3)
        add(deal, 4, int(deal["value"].replace(".", "")))
        add(deal, 5, deal["status"] == "WON")
    return {label: tuple(figures) for label, figures in rows.items()}


def counted_by_the_api(rows: list[dict[str, Any]]) -> dict[str | None, Any]:
    return {
        r["label"]: (
            r["count"], r["persons"], r["companies"], r["deals"]["count"],
            int(r["deals"]["totalValue"].replace(".", "")), r["deals"]["won"],
        )
        for r in rows
        if r["count"] or r["deals"]["count"]
    }  # fmt: skip


@pytest.mark.parametrize("kind", ["ALL", "PERSONS", "COMPANIES"])
@pytest.mark.parametrize("by_owner", [False, True])
async def test_first_touch_statistics_equal_a_count_by_hand(
    gql: GQL, admin: Caller, user: Caller, touched: None, kind: str, by_owner: bool
) -> None:
    # given
    owners = [user.user_id] if by_owner else None
    listed = await gql.ok(admin, LISTED)
    # when
    first_touch = await gql.ok(admin, FIRST_TOUCH, kind=kind, users=owners, attribution="FIRST_TOUCH")
    current = await gql.ok(admin, FIRST_TOUCH, kind=kind, users=owners, attribution=None)
    # then
    assert counted_by_the_api(first_touch["sourceStats"]) == counted_by_hand(listed, kind, owners)
    assert counted_by_the_api(first_touch["sourceStats"]) != counted_by_the_api(current["sourceStats"])
    counts = [r["count"] for r in first_touch["sourceStats"] if r["source"]]
    assert counts == sorted(counts, reverse=True)


async def test_first_touch_csv_has_the_rows_of_graphql(
    client: httpx.AsyncClient, gql: GQL, admin: Caller, touched: None
) -> None:
    # when
    response = await client.get(
        "/stats/sources.csv", params={"attribution": "FIRST_TOUCH"}, headers=admin.headers
    )
    rows = (await gql.ok(admin, FIRST_TOUCH, kind="ALL", attribution="FIRST_TOUCH"))["sourceStats"]
    # then
    assert response.status_code == 200
    read = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["source"], int(r["count"]), int(r["deals"]), r["deal_value"]) for r in read] == [
        (r["label"], r["count"], r["deals"]["count"], r["deals"]["totalValue"]) for r in rows
    ]
    current = await client.get("/stats/sources.csv", params={"attribution": "CURRENT"}, headers=admin.headers)
    assert current.text != response.text


async def test_csv_refuses_an_unknown_attribution(client: httpx.AsyncClient, admin: Caller) -> None:
    response = await client.get("/stats/sources.csv", params={"attribution": "LAST"}, headers=admin.headers)
    assert (response.status_code, response.text) == (400, "attribution must be CURRENT or FIRST_TOUCH\n")


# --- lists, cost, deletion -----------------------------------------------------------------

PAGE_WITH_HISTORY = """{ persons(first: 50) { edges { node {
  id sourceOrigin firstSource { id name }
  sourceHistory(first: 3) {
    totalCount pageInfo { hasNextPage } edges { node { reason by { id } from { id } to { id } } } }
} } } }"""


class StatementCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def statements_for(gql: GQL, who: Caller, document: str) -> tuple[int, dict[str, Any]]:
    log = logging.getLogger("tortoise.db_client")
    counter = StatementCounter()
    level = log.level
    log.setLevel(logging.DEBUG)
    log.addHandler(counter)
    try:
        data = await gql.ok(who, document)
    finally:
        log.removeHandler(counter)
        log.setLevel(level)
    return counter.count, data


async def test_a_page_of_records_loads_their_histories_in_a_fixed_number_of_statements(
    gql: GQL, admin: Caller, user: Caller, alpha: Records, sources: dict[str, Any]
) -> None:
    # given: 3 persons, then 30, each with a few changes
    async def persons(n: int) -> None:
        for i in range(n):
            person = await alpha.person(f"P{i}", sourceId=sources["Website"]["id"])
            await update(gql, user, "person", person["id"], sourceId=sources["Fair"]["id"])
            if i % 2:
                await update(gql, admin, "person", person["id"], sourceId=None)

    await persons(3)
    few, _ = await statements_for(gql, admin, PAGE_WITH_HISTORY)
    await persons(27)
    # when
    many, data = await statements_for(gql, admin, PAGE_WITH_HISTORY)
    # then: the same statements for ten times the records
    assert many == few
    nodes = [e["node"] for e in data["persons"]["edges"]]
    assert len(nodes) == 30
    for node in nodes:
        history_ = node["sourceHistory"]
        reasons = [e["node"]["reason"] for e in history_["edges"]]
        assert reasons in (["EDITED", "CREATED"], ["EDITED", "EDITED", "CREATED"])
        assert history_["totalCount"] == len(reasons)
        assert history_["pageInfo"]["hasNextPage"] is False
        assert node["firstSource"] == {"id": sources["Website"]["id"], "name": "Website"}


async def test_history_in_a_list_counts_towards_the_cost_like_a_nested_list(gql: GQL, admin: Caller) -> None:
    # 200 persons x 200 entries: refused before any work; 50 x the default 20 is fine
    heavy = """{ persons(first: 200) { edges { node {
      sourceHistory(first: 200) { edges { node { reason } } } } } } }"""
    error = await gql.error(admin, heavy)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "costs" in error["message"]
    await gql.ok(admin, "{ persons { edges { node { sourceHistory { edges { node { reason at } } } } } } }")


@pytest.mark.parametrize("kind", KINDS)
async def test_deleting_a_record_deletes_its_history(
    gql: GQL, admin: Caller, alpha: Records, sources: dict[str, Any], kind: str
) -> None:
    # given
    created = await create(alpha, kind, sourceId=sources["Website"]["id"])
    kept = await create(alpha, kind, sourceId=sources["Website"]["id"])
    await update(gql, admin, kind, created["id"], sourceId=sources["Fair"]["id"])
    # when
    await gql.ok(admin, f"mutation($id: ID!) {{ delete{kind.title()}(id: $id) }}", id=created["id"])
    # then
    assert await SourceChange.filter(record_id=created["id"]).count() == 0
    assert len(history(await read(gql, admin, kind, kept["id"]))) == 1
