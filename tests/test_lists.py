"""Lists: keyset pagination, totalCount, every filter, and no N+1 on nested fields."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator

import pytest

from tests.documents import COMPANY, DELETE_SOURCE, PERSON, SOURCE, UPDATE_PERSON
from tests.graphql import GQL, Caller, Records

PERSONS = """query($first: Int, $after: String, $filter: ContactFilter) {
  persons(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id firstName } } } }"""
COMPANIES = """query($filter: ContactFilter) {
  companies(first: 200, filter: $filter) { totalCount edges { node { name } } } }"""
DEALS = """query($filter: DealFilter) {
  deals(first: 200, filter: $filter) { totalCount edges { node { title } } } }"""
NESTED_PAGE = """query($first: Int) { persons(first: $first) { edges { node {
  id source { name } owner { name } company { name source { name } owner { name } } } } } }"""


async def walk(gql: GQL, who: Caller, first: int, between_pages: Records | None = None) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        page = (await gql.ok(who, PERSONS, first=first, after=after))["persons"]
        seen += [e["node"]["firstName"] for e in page["edges"]]
        if between_pages:
            await between_pages.person(f"new-{len(seen)}")
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]


async def test_walking_all_pages_visits_each_record_once_newest_first(
    gql: GQL, admin: Caller, alpha: Records
) -> None:
    for i in range(7):
        await alpha.person(f"p{i}")
    assert await walk(gql, admin, first=3) == [f"p{i}" for i in reversed(range(7))]


async def test_records_created_while_walking_do_not_disturb_the_walk(
    gql: GQL, admin: Caller, alpha: Records
) -> None:
    for i in range(7):
        await alpha.person(f"p{i}")
    assert await walk(gql, admin, first=2, between_pages=alpha) == [f"p{i}" for i in reversed(range(7))]


async def test_total_count_and_default_page_size(gql: GQL, admin: Caller, alpha: Records) -> None:
    for i in range(55):
        await alpha.person(f"p{i}")
    page = (await gql.ok(admin, PERSONS, first=None))["persons"]
    assert page["totalCount"] == 55
    assert len(page["edges"]) == 50
    assert page["pageInfo"]["hasNextPage"] is True


async def test_an_empty_list_has_no_end_cursor(gql: GQL, admin: Caller) -> None:
    page = (await gql.ok(admin, PERSONS, first=10))["persons"]
    assert page == {"totalCount": 0, "pageInfo": {"hasNextPage": False, "endCursor": None}, "edges": []}


@pytest.mark.parametrize("first", [0, -1, 201])
async def test_first_outside_1_to_200_is_bad_user_input(gql: GQL, admin: Caller, first: int) -> None:
    error = await gql.error(admin, PERSONS, first=first)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}


@pytest.mark.parametrize("after", ["garbage", "WyJ4Il0", "", "!!!"])
async def test_a_malformed_cursor_is_bad_user_input(gql: GQL, admin: Caller, after: str) -> None:
    error = await gql.error(admin, PERSONS, first=10, after=after)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}


def forged(content: str | bytes) -> str:
    raw = content.encode() if isinstance(content, str) else content
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


FORGED_CURSORS = [
    forged('["2030-01-01T00:00:00+00:00", 5]'),  # a number for the id
    forged('["2030-01-01T00:00:00+00:00", null]'),
    forged('[5, "9b7b4f4e-7c43-4a35-a7ad-2a8d8bfbd6b5"]'),  # a number for the date
    forged('[["2030-01-01T00:00:00+00:00"], ["9b7b4f4e-7c43-4a35-a7ad-2a8d8bfbd6b5"]]'),  # lists
    forged('["2030-01-01T00:00:00+00:00", "9b7b4f4e-7c43-4a35-a7ad-2a8d8bfbd6b5", 1]'),
    forged('{"created": "2030-01-01T00:00:00+00:00"}'),
    forged('"2030-01-01T00:00:00+00:00"'),
    forged("[" * 5000),  # thousands of nested lists
    forged("[" * 140),  # nested, and short enough to be decoded
    forged('["0001-01-01T00:00:00+01:00", "9b7b4f4e-7c43-4a35-a7ad-2a8d8bfbd6b5"]'),  # before year 1 in UTC
    forged(b"\xff\xfe\x00"),  # not UTF-8
]


@pytest.mark.parametrize("after", FORGED_CURSORS, ids=[f"forged{i}" for i in range(len(FORGED_CURSORS))])
@pytest.mark.parametrize("field", ["persons", "companies", "deals"])
async def test_a_forged_cursor_is_bad_user_input_on_every_list(
    gql: GQL, admin: Caller, alpha: Records, field: str, after: str
) -> None:
    await alpha.person("Ada")
    error = await gql.error(admin, f"query($a: String) {{ {field}(after: $a) {{ totalCount }} }}", a=after)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}


async def test_lists_never_show_another_accounts_records(gql: GQL, alpha: Records, outsider: Caller) -> None:
    await alpha.person("mine")
    assert (await gql.ok(outsider, PERSONS, first=10))["persons"]["totalCount"] == 0


async def names(gql: GQL, who: Caller, filter: dict) -> list[str]:
    page = (await gql.ok(who, PERSONS, first=200, filter=filter))["persons"]
    assert page["totalCount"] == len(page["edges"])
    return sorted(e["node"]["firstName"] for e in page["edges"])


async def test_person_filters(
    gql: GQL, admin: Caller, user: Caller, alpha: Records, outsider: Caller
) -> None:
    # given
    web = await alpha.source("Website")
    fair = await alpha.source("Fair")
    acme = await alpha.company("Acme")
    await alpha.person("Ada", lastName="Lovelace", sourceId=web["id"], companyId=acme["id"])
    await alpha.person("Bob", email="bob@ACME.example", sourceId=fair["id"], ownerId=user.user_id)
    await alpha.person("Cy")
    # then
    assert await names(gql, admin, {"sourceIds": [web["id"]]}) == ["Ada"]
    assert await names(gql, admin, {"sourceIds": [web["id"], fair["id"]]}) == ["Ada", "Bob"]
    assert await names(gql, admin, {"sourceIds": []}) == []
    assert await names(gql, admin, {"withoutSource": True}) == ["Cy"]
    assert await names(gql, admin, {"withoutSource": False}) == ["Ada", "Bob"]
    assert await names(gql, admin, {"sourceIds": [fair["id"]], "withoutSource": True}) == ["Bob", "Cy"]
    assert await names(gql, admin, {"ownerIds": [user.user_id]}) == ["Bob"]
    assert await names(gql, admin, {"ownerIds": [outsider.user_id, "nonsense"]}) == []
    assert await names(gql, admin, {"companyId": acme["id"]}) == ["Ada"]
    assert await names(gql, admin, {"search": "LOVE"}) == ["Ada"]
    assert await names(gql, admin, {"search": "acme"}) == ["Bob"]
    assert await names(gql, admin, {"search": "  "}) == ["Ada", "Bob", "Cy"]
    assert await names(gql, admin, {"search": "%"}) == []


async def test_created_range_is_inclusive_from_and_exclusive_to(
    gql: GQL, admin: Caller, alpha: Records
) -> None:
    ada = await alpha.person("Ada")
    bob = await alpha.person("Bob")
    assert await names(gql, admin, {"createdFrom": bob["createdAt"]}) == ["Bob"]
    assert await names(gql, admin, {"createdTo": bob["createdAt"]}) == ["Ada"]
    assert await names(gql, admin, {"createdFrom": ada["createdAt"], "createdTo": bob["createdAt"]}) == [
        "Ada"
    ]
    assert (
        await names(gql, admin, {"createdFrom": "2000-01-01T00:00:00", "createdTo": "2001-01-01T00:00:00Z"})
        == []
    )


async def test_company_and_deal_filters(gql: GQL, admin: Caller, alpha: Records) -> None:
    web = await alpha.source("Website")
    acme = await alpha.company("Acme", sourceId=web["id"])
    await alpha.company("Bolt")
    ada = await alpha.person("Ada", companyId=acme["id"])
    await alpha.deal("Big", companyId=acme["id"], personId=ada["id"], status="WON", sourceId=web["id"])
    await alpha.deal("Small", status="LOST")

    async def companies(f: dict) -> list[str]:
        return sorted(
            e["node"]["name"] for e in (await gql.ok(admin, COMPANIES, filter=f))["companies"]["edges"]
        )

    async def deals(f: dict) -> list[str]:
        return sorted(e["node"]["title"] for e in (await gql.ok(admin, DEALS, filter=f))["deals"]["edges"])

    assert await companies({"sourceIds": [web["id"]]}) == ["Acme"]
    assert await companies({"withoutSource": True}) == ["Bolt"]
    assert await companies({"search": "bol"}) == ["Bolt"]
    assert await companies({"companyId": acme["id"]}) == ["Acme"]
    assert await deals({"status": "WON"}) == ["Big"]
    assert await deals({"personId": ada["id"]}) == ["Big"]
    assert await deals({"companyId": acme["id"]}) == ["Big"]
    assert await deals({"withoutSource": True}) == ["Small"]
    assert await deals({"companyId": "not-an-id"}) == []


class StatementCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.statements.append(record.getMessage())


@pytest.fixture
def sql_statements() -> Iterator[StatementCounter]:
    """Every statement Tortoise sends (its clients log each one at DEBUG)."""
    logger = logging.getLogger("tortoise.db_client")
    counter = StatementCounter()
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    yield counter
    logger.removeHandler(counter)
    logger.setLevel(old_level)


async def test_nested_fields_load_in_a_constant_number_of_statements(
    gql: GQL, admin: Caller, user: Caller, alpha: Records, sql_statements: StatementCounter
) -> None:
    # given: 60 persons spread over companies, sources and owners
    sources = [await alpha.source(f"S{i}") for i in range(3)]
    companies = [await alpha.company(f"C{i}", sourceId=sources[i % 3]["id"]) for i in range(6)]
    for i in range(60):
        owner = (admin, user)[i % 2].user_id
        await alpha.person(
            f"P{i}", companyId=companies[i % 6]["id"], sourceId=sources[i % 3]["id"], ownerId=owner
        )
    # when
    counts = {}
    for first in (5, 50):
        sql_statements.statements.clear()
        data = await gql.ok(admin, NESTED_PAGE, first=first)
        assert len(data["persons"]["edges"]) == first
        counts[first] = len(sql_statements.statements)
    # then: token, page, then one batch per loader and level: sources, companies, owners, and
    # the companies' sources and owners
    assert counts[5] == counts[50]
    assert counts[50] <= 6, sql_statements.statements


async def test_delete_source_detaches_every_record_and_reports_counts(
    gql: GQL, admin: Caller, alpha: Records
) -> None:
    # given
    web = await alpha.source("Website")
    other = await alpha.source("Fair")
    company = await alpha.company(sourceId=web["id"])
    person = await alpha.person(sourceId=web["id"])
    await alpha.person(sourceId=other["id"])
    await alpha.deal(sourceId=web["id"])
    await alpha.deal(sourceId=web["id"])
    usage = (await gql.ok(admin, SOURCE, id=web["id"]))["source"]["usage"]
    # when
    data = (await gql.ok(admin, DELETE_SOURCE, id=web["id"], confirm=True))["deleteSource"]
    # then
    assert usage == {"companies": 1, "persons": 1, "deals": 2}
    assert data["detached"] == usage
    assert data["replacedWith"] is None
    assert await names(gql, admin, {"withoutSource": True}) == ["Peter"]
    assert (await gql.ok(admin, SOURCE, id=other["id"]))["source"]["usage"] == {
        "companies": 0,
        "persons": 1,
        "deals": 0,
    }
    assert (await gql.ok(admin, PERSON, id=person["id"]))["person"]["source"] is None
    assert (await gql.ok(admin, COMPANY, id=company["id"]))["company"]["source"] is None


async def test_delete_source_with_replacement_moves_the_records(
    gql: GQL, admin: Caller, alpha: Records
) -> None:
    web = await alpha.source("Website")
    fair = await alpha.source("Fair")
    await alpha.company(sourceId=web["id"])
    person = await alpha.person(sourceId=web["id"])
    await alpha.deal(sourceId=fair["id"])
    data = (await gql.ok(admin, DELETE_SOURCE, id=web["id"], confirm=True, replaceWith=fair["id"]))[
        "deleteSource"
    ]
    assert data["detached"] == {"companies": 1, "persons": 1, "deals": 0}
    assert data["replacedWith"] == {"id": fair["id"], "name": "Fair"}
    assert (await gql.ok(admin, SOURCE, id=fair["id"]))["source"]["usage"] == {
        "companies": 1,
        "persons": 1,
        "deals": 1,
    }
    assert await names(gql, admin, {"sourceIds": [fair["id"]]}) == [person["firstName"]]


async def test_delete_source_with_a_foreign_replacement_changes_nothing(
    gql: GQL, admin: Caller, alpha: Records, outsider: Caller
) -> None:
    web = await alpha.source("Website")
    await alpha.person(sourceId=web["id"])
    await gql.ok(outsider, "mutation { updateSourceSettings(enabled: true) { enabled } }")
    theirs = await Records(gql, outsider).source("Theirs")
    error = await gql.error(admin, DELETE_SOURCE, id=web["id"], confirm=True, replaceWith=theirs["id"])
    assert error["extensions"] == {"code": "NOT_FOUND", "field": "replaceWith"}
    assert (await gql.ok(admin, SOURCE, id=web["id"]))["source"]["usage"]["persons"] == 1


async def test_a_person_can_be_moved_to_no_company(gql: GQL, admin: Caller, alpha: Records) -> None:
    acme = await alpha.company("Acme")
    ada = await alpha.person("Ada", companyId=acme["id"])
    moved = await gql.ok(admin, UPDATE_PERSON, id=ada["id"], input={"companyId": None})
    assert moved["updatePerson"]["company"] is None
