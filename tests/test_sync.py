"""Keeping a copy in sync: lists in update order resumed from a cursor, updatedFrom, and
deletedRecords from the tombstones every delete writes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from tortoise import timezone

from models import Company, Deal, DeletedRecord, Person, RecordKind
from processes import serving
from tests.documents import (
    APPLY_COMPANY_SOURCE,
    DELETE_COMPANY,
    DELETE_DEAL,
    DELETE_PERSON,
    DELETE_SOURCE,
    MERGE_SOURCES,
    UPDATE_COMPANY,
    UPDATE_DEAL,
    UPDATE_PERSON,
)
from tests.graphql import GQL, Caller, Records

NODES = {
    "companies": "id name updatedAt source { id }",
    "persons": "id firstName updatedAt source { id } company { id }",
    "deals": "id title updatedAt source { id } company { id } person { id }",
}
FILTERS = {"companies": "ContactFilter", "persons": "ContactFilter", "deals": "DealFilter"}
DELETED = """query($since: DateTime!, $first: Int, $after: String, $last: Int, $before: String) {
  deletedRecords(since: $since, first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id kind deletedAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount } }"""
LONG_AGO = "2000-01-01T00:00:00Z"


def listing(field: str) -> str:
    return f"""query($first: Int, $after: String, $last: Int, $before: String, $filter: {FILTERS[field]},
                     $order: RecordOrder) {{
      {field}(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $order) {{
        edges {{ cursor node {{ {NODES[field]} }} }}
        pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} }} }}"""


async def page(gql: GQL, who: Caller, field: str, **variables: Any) -> dict[str, Any]:
    variables.setdefault("order", "UPDATED_FIRST_TO_LAST")
    data: dict[str, Any] = (await gql.ok(who, listing(field), **variables))[field]
    return data


async def pull(gql: GQL, who: Caller, field: str, after: str | None = None) -> tuple[list[Any], str | None]:
    """Every record changed after `after`, page by page (3 at a time), and the cursor to keep."""
    nodes: list[Any] = []
    while True:
        answer = await page(gql, who, field, first=3, after=after)
        nodes += [e["node"] for e in answer["edges"]]
        after = answer["pageInfo"]["endCursor"] or after
        if not answer["pageInfo"]["hasNextPage"]:
            return nodes, after


def names(nodes: list[dict[str, Any]]) -> list[str]:
    return [n.get("name") or n.get("firstName") or n["title"] for n in nodes]


def in_update_order(nodes: list[dict[str, Any]]) -> bool:
    keys = [(datetime.fromisoformat(n["updatedAt"]), n["id"]) for n in nodes]
    return keys == sorted(keys)


# --- update order ---------------------------------------------------------------------------------


async def test_records_come_oldest_change_first_and_a_changed_one_moves_to_the_end(
    gql: GQL, admin: Caller, alpha: Records
) -> None:
    # given
    people = [await alpha.person(f"P{i}") for i in range(5)]
    await gql.ok(admin, UPDATE_PERSON, id=people[1]["id"], input={"lastName": "Changed"})
    # when
    nodes, _ = await pull(gql, admin, "persons")
    # then
    assert names(nodes) == ["P0", "P2", "P3", "P4", "P1"]
    assert in_update_order(nodes)


@pytest.mark.parametrize("field", ["companies", "persons", "deals"])
async def test_a_sync_resumed_from_its_cursor_sees_what_changed_in_between(
    gql: GQL, admin: Caller, alpha: Records, field: str
) -> None:
    # given: a first full pull
    make = {"companies": alpha.company, "persons": alpha.person, "deals": alpha.deal}[field]
    update = {
        "companies": (UPDATE_COMPANY, {"name": "R1 again"}),
        "persons": (UPDATE_PERSON, {"firstName": "R1 again"}),
        "deals": (UPDATE_DEAL, {"title": "R1 again"}),
    }[field]
    records = [await make(f"R{i}") for i in range(7)]
    first, cursor = await pull(gql, admin, field)
    assert names(first) == [f"R{i}" for i in range(7)]
    # when: one record read before is changed and one is created
    await gql.ok(admin, update[0], id=records[1]["id"], input=update[1])
    await make("R7")
    changed, cursor = await pull(gql, admin, field, after=cursor)
    # then: exactly those come, the changed one again; nothing more once they were read
    assert names(changed) == ["R1 again", "R7"]
    assert changed[0]["id"] == records[1]["id"]
    assert (await pull(gql, admin, field, after=cursor))[0] == []


async def test_update_order_pages_backwards_too(gql: GQL, admin: Caller, alpha: Records) -> None:
    # given
    for i in range(5):
        await alpha.company(f"C{i}")
    # when
    last = await page(gql, admin, "companies", last=2)
    before = await page(gql, admin, "companies", last=2, before=last["pageInfo"]["startCursor"])
    # then
    assert names([e["node"] for e in last["edges"]]) == ["C3", "C4"]
    assert last["pageInfo"] == {**last["pageInfo"], "hasNextPage": False, "hasPreviousPage": True}
    assert names([e["node"] for e in before["edges"]]) == ["C1", "C2"]
    assert before["pageInfo"]["hasNextPage"] is True


async def test_newest_first_stays_the_default(gql: GQL, admin: Caller, alpha: Records) -> None:
    for i in range(3):
        await alpha.deal(f"D{i}")
    for order in ("NEWEST_FIRST", None):
        assert names([e["node"] for e in (await page(gql, admin, "deals", order=order))["edges"]]) == [
            "D2",
            "D1",
            "D0",
        ]


@pytest.mark.parametrize(
    ("given", "used"), [("NEWEST_FIRST", "UPDATED_FIRST_TO_LAST"), ("UPDATED_FIRST_TO_LAST", "NEWEST_FIRST")]
)
@pytest.mark.parametrize("argument", ["after", "before"])
async def test_a_cursor_of_one_order_is_refused_by_the_other(
    gql: GQL, admin: Caller, alpha: Records, given: str, used: str, argument: str
) -> None:
    # given
    await alpha.person("Ada")
    cursor = (await page(gql, admin, "persons", order=given))["pageInfo"]["endCursor"]
    size = {"first": 10} if argument == "after" else {"last": 10}
    # when
    error = await gql.error(admin, listing("persons"), order=used, **size, **{argument: cursor})
    # then
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": argument}


async def test_a_deleted_records_cursor_is_not_a_list_cursor(gql: GQL, admin: Caller, alpha: Records) -> None:
    person = await alpha.person("Gone")
    await gql.ok(admin, DELETE_PERSON, id=person["id"])
    cursor = (await gql.ok(admin, DELETED, since=LONG_AGO))["deletedRecords"]["pageInfo"]["endCursor"]
    error = await gql.error(admin, listing("persons"), order="UPDATED_FIRST_TO_LAST", after=cursor)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}


@pytest.mark.parametrize("field", ["companies", "persons", "deals"])
async def test_updated_from_keeps_records_changed_at_or_after_it(
    gql: GQL, admin: Caller, alpha: Records, field: str
) -> None:
    # given: three records changed on three days
    make = {"companies": alpha.company, "persons": alpha.person, "deals": alpha.deal}[field]
    model = {"companies": Company, "persons": Person, "deals": Deal}[field]
    for day in (1, 2, 3):
        record = await make(f"Day {day}")
        await model.filter(id=record["id"]).update(updated_at=datetime(2026, 5, day, 12, tzinfo=UTC))
    # when
    since = {"updatedFrom": "2026-05-02T14:00:00+02:00"}  # the second change exactly, in another offset
    in_order = await page(gql, admin, field, filter=since)
    newest_first = await page(gql, admin, field, filter=since, order="NEWEST_FIRST")
    # then
    assert names([e["node"] for e in in_order["edges"]]) == ["Day 2", "Day 3"]
    assert names([e["node"] for e in newest_first["edges"]]) == ["Day 3", "Day 2"]


# --- bulk changes and deletes show up in the sync ----------------------------------------------------


async def sync_all(gql: GQL, who: Caller) -> dict[str, str | None]:
    return {field: (await pull(gql, who, field))[1] for field in NODES}


async def changed_since(gql: GQL, who: Caller, cursors: dict[str, str | None]) -> dict[str, list[str]]:
    return {field: names((await pull(gql, who, field, after=cursors[field]))[0]) for field in NODES}


@pytest.fixture
async def tied(gql: GQL, admin: Caller, alpha: Records) -> dict[str, Any]:
    """Sources Web and Fair; Acme (Web) with Ada and a deal; Bolt (Fair) with Bea; Cid without a source."""
    web, fair = await alpha.source("Web"), await alpha.source("Fair")
    acme = await alpha.company("Acme", sourceId=web["id"])
    bolt = await alpha.company("Bolt", sourceId=fair["id"])
    ada = await alpha.person("Ada", companyId=acme["id"], sourceId=web["id"])
    bea = await alpha.person("Bea", companyId=bolt["id"], sourceId=fair["id"])
    cid = await alpha.person("Cid")
    deal = await alpha.deal("Big", companyId=acme["id"], personId=ada["id"], sourceId=web["id"])
    return {
        "web": web,
        "fair": fair,
        "acme": acme,
        "bolt": bolt,
        "ada": ada,
        "bea": bea,
        "cid": cid,
        "deal": deal,
    }


async def test_a_merge_shows_up_in_the_sync(gql: GQL, admin: Caller, tied: dict[str, Any]) -> None:
    # given
    cursors = await sync_all(gql, admin)
    # when
    await gql.ok(admin, MERGE_SOURCES, ids=[tied["web"]["id"]], into=tied["fair"]["id"], confirm=True)
    changed = await changed_since(gql, admin, cursors)
    # then: the records that were on Web come again, now on Fair
    assert changed == {"companies": ["Acme"], "persons": ["Ada"], "deals": ["Big"]}
    acme = (await pull(gql, admin, "companies", after=cursors["companies"]))[0][0]
    assert acme["source"] == {"id": tied["fair"]["id"]}


@pytest.mark.parametrize("replace", [False, True])
async def test_a_source_delete_shows_up_in_the_sync(
    gql: GQL, admin: Caller, tied: dict[str, Any], replace: bool
) -> None:
    # given
    cursors = await sync_all(gql, admin)
    replacement = tied["web"]["id"] if replace else None
    # when
    await gql.ok(admin, DELETE_SOURCE, id=tied["fair"]["id"], confirm=True, replaceWith=replacement)
    persons, _ = await pull(gql, admin, "persons", after=cursors["persons"])
    # then
    assert await changed_since(gql, admin, cursors) == {
        "companies": ["Bolt"],
        "persons": ["Bea"],
        "deals": [],
    }
    assert persons[0]["source"] == (None if replacement is None else {"id": replacement})


async def test_applying_a_companys_source_shows_up_in_the_sync(
    gql: GQL, admin: Caller, tied: dict[str, Any]
) -> None:
    cursors = await sync_all(gql, admin)
    await gql.ok(admin, UPDATE_COMPANY, id=tied["acme"]["id"], input={"sourceId": tied["fair"]["id"]})
    await gql.ok(admin, APPLY_COMPANY_SOURCE, companyId=tied["acme"]["id"], overwrite=True)
    assert await changed_since(gql, admin, cursors) == {
        "companies": ["Acme"],
        "persons": ["Ada"],
        "deals": ["Big"],
    }


async def test_deleting_a_company_clears_its_links_and_the_linked_records_come_again(
    gql: GQL, admin: Caller, tied: dict[str, Any]
) -> None:
    # given
    cursors = await sync_all(gql, admin)
    # when
    await gql.ok(admin, DELETE_COMPANY, id=tied["acme"]["id"])
    # then: Ada and Big changed (their company is gone); the company is a tombstone
    assert await changed_since(gql, admin, cursors) == {"companies": [], "persons": ["Ada"], "deals": ["Big"]}
    ada = (await pull(gql, admin, "persons", after=cursors["persons"]))[0][0]
    big = (await pull(gql, admin, "deals", after=cursors["deals"]))[0][0]
    assert ada["company"] is None
    assert (big["company"], big["person"]) == (None, {"id": tied["ada"]["id"]})
    deleted = (await gql.ok(admin, DELETED, since=LONG_AGO))["deletedRecords"]["edges"]
    assert [(e["node"]["id"], e["node"]["kind"]) for e in deleted] == [(tied["acme"]["id"], "COMPANY")]


async def test_deleting_a_person_clears_its_deals_link_and_they_come_again(
    gql: GQL, admin: Caller, tied: dict[str, Any]
) -> None:
    cursors = await sync_all(gql, admin)
    await gql.ok(admin, DELETE_PERSON, id=tied["ada"]["id"])
    assert await changed_since(gql, admin, cursors) == {"companies": [], "persons": [], "deals": ["Big"]}
    big = (await pull(gql, admin, "deals", after=cursors["deals"]))[0][0]
    assert (big["company"], big["person"]) == ({"id": tied["acme"]["id"]}, None)


# --- deletedRecords ------------------------------------------------------------------------------------


async def deletions(gql: GQL, who: Caller, since: str = LONG_AGO) -> list[dict[str, Any]]:
    """Every deletion since `since`, two at a time."""
    found: list[dict[str, Any]] = []
    after = None
    while True:
        answer = (await gql.ok(who, DELETED, since=since, first=2, after=after))["deletedRecords"]
        found += [e["node"] for e in answer["edges"]]
        after = answer["pageInfo"]["endCursor"]
        if not answer["pageInfo"]["hasNextPage"]:
            return found


async def test_deletions_are_listed_once_each_oldest_first(
    gql: GQL, admin: Caller, tied: dict[str, Any]
) -> None:
    # when
    for document, key in (
        (DELETE_DEAL, "deal"),
        (DELETE_PERSON, "cid"),
        (DELETE_COMPANY, "bolt"),
        (DELETE_PERSON, "bea"),
    ):
        await gql.ok(admin, document, id=tied[key]["id"])
    await gql.error(admin, DELETE_PERSON, id=tied["bea"]["id"])  # gone already: NOT_FOUND, no tombstone
    listed = await deletions(gql, admin)
    # then
    assert [(n["id"], n["kind"]) for n in listed] == [
        (tied["deal"]["id"], "DEAL"),
        (tied["cid"]["id"], "PERSON"),
        (tied["bolt"]["id"], "COMPANY"),
        (tied["bea"]["id"], "PERSON"),
    ]
    times = [datetime.fromisoformat(n["deletedAt"]) for n in listed]
    assert times == sorted(times)
    # since is inclusive, and later deletions come after the kept cursor
    assert await deletions(gql, admin, since=listed[2]["deletedAt"]) == listed[2:]
    answer = (await gql.ok(admin, DELETED, since=LONG_AGO))["deletedRecords"]
    assert answer["totalCount"] == 4
    await gql.ok(admin, DELETE_COMPANY, id=tied["acme"]["id"])
    later = (await gql.ok(admin, DELETED, since=LONG_AGO, after=answer["pageInfo"]["endCursor"]))[
        "deletedRecords"
    ]
    assert [e["node"]["id"] for e in later["edges"]] == [tied["acme"]["id"]]


async def test_deleted_records_page_backwards(gql: GQL, admin: Caller, alpha: Records) -> None:
    for i in range(3):
        await gql.ok(admin, DELETE_DEAL, id=(await alpha.deal(f"D{i}"))["id"])
    everything = await deletions(gql, admin)
    last = (await gql.ok(admin, DELETED, since=LONG_AGO, last=2))["deletedRecords"]
    assert [e["node"] for e in last["edges"]] == everything[1:]
    assert last["pageInfo"]["hasPreviousPage"] is True


async def test_a_failed_delete_changes_nothing(gql: GQL, admin: Caller, tied: dict[str, Any]) -> None:
    # given: a tombstone already holding the company's id (no API can do that) makes the delete fail
    await DeletedRecord.create(id=tied["acme"]["id"], account_id=admin.account_id, kind=RecordKind.COMPANY,
                               deleted_at=timezone.now())  # fmt: skip
    cursors = await sync_all(gql, admin)
    # when
    error = await gql.error(admin, DELETE_COMPANY, id=tied["acme"]["id"])
    # then: the company and its links are as they were, and nothing changed for a sync
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert await Company.exists(id=tied["acme"]["id"])
    assert str((await Person.get(id=tied["ada"]["id"])).company_id) == tied["acme"]["id"]
    assert await changed_since(gql, admin, cursors) == {"companies": [], "persons": [], "deals": []}


async def test_tombstones_are_kept_90_days_and_pruned_after_120(
    gql: GQL, admin: Caller, outsider: Caller, database_url: str, tied: dict[str, Any]
) -> None:
    # given: deletions of 100 and 121 days ago in both accounts
    now = timezone.now()
    for who, age in ((admin, 100), (admin, 121), (outsider, 121)):
        await DeletedRecord.create(id=uuid.uuid4(), account_id=who.account_id, kind=RecordKind.DEAL,
                                   deleted_at=now - timedelta(days=age))  # fmt: skip
    # when: the account deletes something
    await gql.ok(admin, DELETE_PERSON, id=tied["cid"]["id"])
    # then: its own tombstone of 121 days went, the one of 100 days stays
    ages = sorted(
        round((now - datetime.fromisoformat(n["deletedAt"])) / timedelta(days=1))
        for n in await deletions(gql, admin)
    )
    assert ages == [0, 100]
    assert await DeletedRecord.filter(account_id=outsider.account_id).count() == 1
    # and a start of the server prunes every account's
    with serving(database_url):
        pass
    assert await DeletedRecord.filter(account_id=outsider.account_id).count() == 0
    assert await DeletedRecord.filter(account_id=admin.account_id).count() == 2


async def test_a_sync_page_holds_back_changes_that_a_write_in_flight_may_precede(
    gql: GQL, admin: Caller, alpha: Records, on_postgres: bool, database_url: str
) -> None:
    if not on_postgres:
        pytest.skip("SQLite runs one write at a time: writes commit in the order of their stamps")
    # given: a synced copy, then another session's transaction that changes Ada and stays open
    ada, bea = await alpha.person("Ada"), await alpha.person("Bea")
    _, cursor = await pull(gql, admin, "persons")
    other = await asyncpg.connect(database_url)
    try:
        slow = other.transaction()
        await slow.start()
        await other.execute(
            "UPDATE person SET last_name = 'Slow', updated_at = now() WHERE id = $1", uuid.UUID(ada["id"])
        )
        # when: Bea changes and commits meanwhile
        await gql.ok(admin, UPDATE_PERSON, id=bea["id"], input={"lastName": "Quick"})
        while_open, _ = await pull(gql, admin, "persons", after=cursor)
        await slow.commit()
        once_done, _ = await pull(gql, admin, "persons", after=cursor)
    finally:
        await other.close()
    # then: Bea waits for the older write; once it is in, both come, oldest change first
    assert while_open == []
    assert names(once_done) == ["Ada", "Bea"]
