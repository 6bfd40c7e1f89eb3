"""Statistics: sourceStats and the CSV export, asserted as whole rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from models import Company, Deal, DealStatus, Person, Source
from resolvers.palette import NO_SOURCE_COLOR
from seeding.bulk import insert_rows
from seeding.synthetic import DEAL_COLUMNS
from tests.csv_rows import csv_row_of, csv_rows
from tests.documents import ARCHIVE_SOURCE
from tests.graphql import GQL, Caller, Records

STATS = """query($userIds: [ID!], $kind: ContactKind!, $from: DateTime, $to: DateTime) {
  sourceStats(userIds: $userIds, contactKind: $kind, createdFrom: $from, createdTo: $to) {
    source { id name } label color count persons companies share
    deals { count totalValue averageValue won wonValue winRate } } }"""

EARLY = datetime(2025, 1, 15, tzinfo=UTC)
MID = datetime(2025, 6, 1, tzinfo=UTC)
LATE = datetime(2026, 2, 1, tzinfo=UTC)


@dataclass
class World:
    web: dict[str, Any]
    fair: dict[str, Any]
    empty: dict[str, Any]


@pytest.fixture
async def world(gql: GQL, admin: Caller, user: Caller, alpha: Records, outsider: Caller) -> World:
    """Two owners, both contact kinds, deals in every status, and records without a source."""
    web, fair, empty = [await alpha.source(n) for n in ("Web", "Fair", "Empty")]
    mine, theirs = admin.user_id, user.user_id
    companies = [
        (await alpha.company("C1", sourceId=web["id"], ownerId=mine), EARLY),
        (await alpha.company("C2", sourceId=fair["id"], ownerId=theirs), EARLY),
        (await alpha.company("C3", ownerId=mine), EARLY),
    ]
    persons = [
        (await alpha.person("P1", sourceId=web["id"], ownerId=mine), MID),
        (await alpha.person("P2", sourceId=web["id"], ownerId=theirs), MID),
        (await alpha.person("P3", sourceId=fair["id"], ownerId=mine), LATE),
        (await alpha.person("P4", ownerId=theirs), LATE),
    ]
    deals = [
        (await alpha.deal("D1", sourceId=web["id"], ownerId=mine, value="1000", status="WON"), MID),
        (await alpha.deal("D2", sourceId=web["id"], ownerId=theirs, value="500.50", status="LOST"), MID),
        (await alpha.deal("D3", sourceId=web["id"], ownerId=mine, value="250.25"), MID),
        (await alpha.deal("D4", sourceId=fair["id"], ownerId=theirs, value="99.99", status="WON"), LATE),
        (await alpha.deal("D5", ownerId=mine, value="10"), LATE),
    ]
    # the contract has no way to backdate a record: set creation dates in the database
    for model, rows in ((Company, companies), (Person, persons), (Deal, deals)):
        for record, created in rows:
            await model.filter(id=record["id"]).update(created_at=created)
    # another account's data must never be counted
    foreign = Records(gql, outsider)
    await gql.ok(outsider, "mutation { updateSourceSettings(enabled: true) { enabled } }")
    await foreign.person("X", sourceId=(await foreign.source("Web"))["id"])
    await foreign.deal("XD", value="5")
    return World(web, fair, empty)


def row(
    source: dict[str, Any] | None,
    persons: int,
    companies: int,
    share: float,
    deals: tuple[int, str, str | None, int, str, float | None] = (0, "0.00", None, 0, "0.00", None),
) -> dict[str, Any]:
    count, total, average, won, won_value, win_rate = deals
    return {
        "source": {"id": source["id"], "name": source["name"]} if source else None,
        "label": source["name"] if source else "No source",
        "color": source["color"] if source else NO_SOURCE_COLOR,
        "count": persons + companies,
        "persons": persons,
        "companies": companies,
        "share": pytest.approx(share),
        "deals": {
            "count": count,
            "totalValue": total,
            "averageValue": average,
            "won": won,
            "wonValue": won_value,
            "winRate": win_rate,
        },
    }


async def stats(gql: GQL, who: Caller, kind: str = "ALL", **filters: Any) -> list[dict[str, Any]]:
    return (await gql.ok(who, STATS, kind=kind, **filters))["sourceStats"]


WEB_DEALS = (3, "1750.75", "583.58", 1, "1000.00", 0.5)
FAIR_DEALS = (1, "99.99", "99.99", 1, "99.99", 1.0)
NONE_DEALS = (1, "10.00", "10.00", 0, "0.00", None)


async def test_all_contacts_of_all_owners(gql: GQL, admin: Caller, world: World) -> None:
    assert await stats(gql, admin) == [
        row(world.web, 2, 1, 3 / 7, WEB_DEALS),
        row(world.fair, 1, 1, 2 / 7, FAIR_DEALS),
        row(world.empty, 0, 0, 0),
        row(None, 1, 1, 2 / 7, NONE_DEALS),
    ]


async def test_persons_only(gql: GQL, admin: Caller, world: World) -> None:
    assert await stats(gql, admin, "PERSONS") == [
        row(world.web, 2, 0, 2 / 4, WEB_DEALS),
        row(world.fair, 1, 0, 1 / 4, FAIR_DEALS),
        row(world.empty, 0, 0, 0),
        row(None, 1, 0, 1 / 4, NONE_DEALS),
    ]


async def test_companies_only_ties_are_ordered_by_label(gql: GQL, admin: Caller, world: World) -> None:
    assert await stats(gql, admin, "COMPANIES") == [
        row(world.fair, 0, 1, 1 / 3, FAIR_DEALS),
        row(world.web, 0, 1, 1 / 3, WEB_DEALS),
        row(world.empty, 0, 0, 0),
        row(None, 0, 1, 1 / 3, NONE_DEALS),
    ]


async def test_a_subset_of_owners(gql: GQL, admin: Caller, user: Caller, world: World) -> None:
    assert await stats(gql, admin, userIds=[user.user_id]) == [
        row(world.fair, 0, 1, 1 / 3, (1, "99.99", "99.99", 1, "99.99", 1.0)),
        row(world.web, 1, 0, 1 / 3, (1, "500.50", "500.50", 0, "0.00", 0.0)),
        row(world.empty, 0, 0, 0),
        row(None, 1, 0, 1 / 3),
    ]


@pytest.mark.parametrize("user_ids", [[], ["OUTSIDER"], ["not-a-uuid"]])
async def test_no_owner_or_foreign_owners_count_nothing(
    gql: GQL, admin: Caller, outsider: Caller, world: World, user_ids: list[str]
) -> None:
    ids = [outsider.user_id if u == "OUTSIDER" else u for u in user_ids]
    assert await stats(gql, admin, userIds=ids) == [
        row(world.empty, 0, 0, 0),
        row(world.fair, 0, 0, 0),
        row(world.web, 0, 0, 0),
    ]


async def test_created_from_is_inclusive(gql: GQL, admin: Caller, world: World) -> None:
    assert await stats(gql, admin, **{"from": LATE.isoformat()}) == [
        row(world.fair, 1, 0, 1 / 2, FAIR_DEALS),
        row(world.empty, 0, 0, 0),
        row(world.web, 0, 0, 0),
        row(None, 1, 0, 1 / 2, NONE_DEALS),
    ]


async def test_created_to_is_exclusive(gql: GQL, admin: Caller, world: World) -> None:
    assert await stats(gql, admin, to=LATE.isoformat()) == [
        row(world.web, 2, 1, 3 / 5, WEB_DEALS),
        row(world.fair, 0, 1, 1 / 5),
        row(world.empty, 0, 0, 0),
        row(None, 0, 1, 1 / 5),
    ]


async def test_a_range_on_both_sides_without_sourceless_records_has_no_no_source_row(
    gql: GQL, admin: Caller, world: World
) -> None:
    assert await stats(gql, admin, **{"from": "2025-03-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}) == [
        row(world.web, 2, 0, 1.0, WEB_DEALS),
        row(world.empty, 0, 0, 0),
        row(world.fair, 0, 0, 0),
    ]


async def test_a_deal_without_source_alone_brings_the_no_source_row(
    gql: GQL, admin: Caller, alpha: Records
) -> None:
    await alpha.deal("Lonely", value="1.10", status="LOST")
    assert await stats(gql, admin) == [row(None, 0, 0, 0, (1, "1.10", "1.10", 0, "0.00", 0.0))]


async def test_money_is_summed_exactly(gql: GQL, admin: Caller, alpha: Records) -> None:
    web = await alpha.source("Web")
    for _ in range(10):
        await alpha.deal(sourceId=web["id"], value="0.10", status="WON")
    [web_row] = await stats(gql, admin)
    assert web_row["deals"]["totalValue"] == "1.00"
    assert web_row["deals"]["wonValue"] == "1.00"
    assert Decimal(web_row["deals"]["averageValue"]) == Decimal("0.10")


async def test_an_account_without_sources_or_records_has_no_rows(gql: GQL, admin: Caller) -> None:
    assert await stats(gql, admin) == []


async def test_rows_carry_the_source_colour_and_no_source_is_neutral_grey(
    gql: GQL, admin: Caller, alpha: Records
) -> None:
    # given
    red = (await gql.ok(admin, 'mutation { createSource(name: "Red", color: "#ff0000") { id } }'))[
        "createSource"
    ]
    await alpha.person(sourceId=red["id"])
    await alpha.person()
    # when
    rows = await stats(gql, admin)
    # then
    assert [(r["label"], r["color"]) for r in rows] == [("Red", "#FF0000"), ("No source", "#BBBBBB")]


async def test_an_archived_source_keeps_its_row_while_anything_counted_uses_it(
    gql: GQL, admin: Caller, world: World
) -> None:
    # given: Fair (C2 early, P3 and D4 late) and Empty archived
    await gql.ok(admin, ARCHIVE_SOURCE, id=world.fair["id"])
    await gql.ok(admin, ARCHIVE_SOURCE, id=world.empty["id"])
    # then: all of it counted: Fair keeps its row, Empty (unused) has none
    assert await stats(gql, admin) == [
        row(world.web, 2, 1, 3 / 7, WEB_DEALS),
        row(world.fair, 1, 1, 2 / 7, FAIR_DEALS),
        row(None, 1, 1, 2 / 7, NONE_DEALS),
    ]
    # a deal in the filtered set is enough: no company is created from LATE on, D4 (Fair) is
    assert await stats(gql, admin, "COMPANIES", **{"from": LATE.isoformat()}) == [
        row(world.fair, 0, 0, 0, FAIR_DEALS),
        row(world.web, 0, 0, 0),
        row(None, 0, 0, 0, NONE_DEALS),
    ]
    # … and when nothing counted uses it, the row goes, while an unused live source stays
    assert await stats(
        gql, admin, "COMPANIES", **{"from": "2025-03-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}
    ) == [
        row(world.web, 0, 0, 0, WEB_DEALS),
    ]
    assert await stats(gql, admin, userIds=[]) == [row(world.web, 0, 0, 0)]


NO_DEALS = """query($userIds: [ID!], $kind: ContactKind!, $from: DateTime, $to: DateTime) {
  sourceStats(userIds: $userIds, contactKind: $kind, createdFrom: $from, createdTo: $to) { ...Row } }
fragment Row on SourceStatsRow { source { id name } label color count persons companies share }"""


@pytest.mark.parametrize(
    "filters",
    [
        {"kind": "ALL"},
        {"kind": "PERSONS"},
        {"kind": "COMPANIES", "from": LATE.isoformat()},  # rows that only deals bring
        {"kind": "COMPANIES", "from": "2025-03-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
        {"kind": "ALL", "userIds": []},
    ],
)
async def test_rows_without_deal_figures_selected_are_the_same_rows(
    gql: GQL, admin: Caller, world: World, filters: dict[str, Any]
) -> None:
    # given: an archived source whose only use in some ranges is a deal, and deals without source
    await gql.ok(admin, ARCHIVE_SOURCE, id=world.fair["id"])
    await gql.ok(admin, ARCHIVE_SOURCE, id=world.empty["id"])
    with_deals = await stats(gql, admin, **filters)
    # when: the deal figures are not asked for (through a fragment)
    without = (await gql.ok(admin, NO_DEALS, **filters))["sourceStats"]
    # then: exactly the same rows, in the same order
    assert without == [{k: v for k, v in r.items() if k != "deals"} for r in with_deals]


@pytest.mark.parametrize(
    ("params", "variables"),
    [
        ({}, {"kind": "ALL"}),
        ({"contactKind": "PERSONS"}, {"kind": "PERSONS"}),
        (
            {"contactKind": "COMPANIES", "createdTo": LATE.isoformat()},
            {"kind": "COMPANIES", "to": LATE.isoformat()},
        ),
        ({"userIds": "USER"}, {"kind": "ALL", "userIds": ["USER"]}),
        ({"userIds": ""}, {"kind": "ALL", "userIds": []}),
        ({"createdFrom": LATE.isoformat()}, {"kind": "ALL", "from": LATE.isoformat()}),
    ],
)
async def test_csv_matches_graphql_row_for_row(
    client: httpx.AsyncClient,
    gql: GQL,
    admin: Caller,
    user: Caller,
    world: World,
    params: dict[str, str],
    variables: dict[str, Any],
) -> None:
    params = {k: v.replace("USER", user.user_id) for k, v in params.items()}
    if "userIds" in variables:
        variables["userIds"] = [user.user_id for _ in variables["userIds"]]
    # when
    response = await client.get("/stats/sources.csv", params=params, headers=admin.headers)
    rows = (await gql.ok(admin, STATS, **variables))["sourceStats"]
    # then
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.text.splitlines()[0] == (
        "source_id,source,count,persons,companies,share,deals,deal_value,won_deals,won_value,"
        "average_deal_value,win_rate"
    )
    expected = [csv_row_of(r) for r in rows]
    assert csv_rows(response.text) == expected


async def test_csv_needs_a_token(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get("/stats/sources.csv")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"contactKind": "EVERYONE"}, "contactKind must be PERSONS, COMPANIES or ALL"),
        ({"createdFrom": "yesterday"}, "createdFrom must be an ISO-8601 date-time"),
        ({"createdTo": "2026-13-01"}, "createdTo must be an ISO-8601 date-time"),
    ],
)
async def test_csv_bad_parameters_get_400_with_a_one_line_reason(
    client: httpx.AsyncClient, admin: Caller, params: dict[str, str], message: str
) -> None:
    response = await client.get("/stats/sources.csv", params=params, headers=admin.headers)
    assert response.status_code == 400
    assert response.text == message + "\n"


MAX_VALUE = "9999999999999.99"  # the largest value a client may store
MAX_DEALS = 9_300  # their cents sum beyond 2**63, where SQLite's SUM of integers fails


async def test_sums_of_the_largest_values_are_exact_in_graphql_and_csv(
    client: httpx.AsyncClient, gql: GQL, admin: Caller, alpha: Records
) -> None:
    # given: one deal through the API, the rest inserted in bulk like it (for speed)
    web = await alpha.source("Web")
    first = await alpha.deal("Max", value=MAX_VALUE, status="WON", sourceId=web["id"])
    stored = await Deal.get(id=first["id"])
    row_values = {c: getattr(stored, c) for c in DEAL_COLUMNS if c != "id"}
    await insert_rows(
        "deal",
        DEAL_COLUMNS,
        [
            tuple(str(uuid.uuid4()) if c == "id" else _plain(row_values[c]) for c in DEAL_COLUMNS)
            for _ in range(MAX_DEALS - 1)
        ],
    )
    total = str(Decimal(MAX_VALUE) * MAX_DEALS)
    # when
    [web_row] = await stats(gql, admin)
    response = await client.get("/stats/sources.csv", headers=admin.headers)
    # then
    assert total == "92999999999999907.00"
    assert web_row["deals"] == {
        "count": MAX_DEALS,
        "totalValue": total,
        "averageValue": MAX_VALUE,
        "won": MAX_DEALS,
        "wonValue": total,
        "winRate": 1.0,
    }
    [line] = csv_rows(response.text)
    assert (line["deal_value"], line["won_value"], line["average_deal_value"]) == (total, total, MAX_VALUE)


def _plain(value: object) -> object:
    """Column values as insert_rows takes them: ids as text, enums as their values."""
    if isinstance(value, uuid.UUID):
        return str(value)
    return value.value if isinstance(value, DealStatus) else value


@pytest.mark.parametrize("name", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)", " =1+1"])
async def test_csv_cells_that_a_spreadsheet_would_run_start_with_a_quote(
    client: httpx.AsyncClient, admin: Caller, alpha: Records, name: str
) -> None:
    # given
    await alpha.source(name)
    # when
    response = await client.get("/stats/sources.csv", headers=admin.headers)
    # then
    [line] = csv_rows(response.text)
    assert line["source"] == "'" + name.strip()


@pytest.mark.parametrize("name", ["\tTab", "\rReturn"])
async def test_csv_cells_starting_with_tab_or_cr_start_with_a_quote(
    client: httpx.AsyncClient, admin: Caller, alpha: Records, name: str
) -> None:
    # given: the API refuses control characters; a name stored otherwise is still made safe
    source = await alpha.source("Anything")
    await Source.filter(id=source["id"]).update(name=name)
    # when
    response = await client.get("/stats/sources.csv", headers=admin.headers)
    # then
    [line] = csv_rows(response.text)
    assert line["source"] == "'" + name


async def test_csv_text_that_only_looks_like_a_formula_later_is_kept(
    client: httpx.AsyncClient, admin: Caller, alpha: Records
) -> None:
    await alpha.source("Trade fair = fun")
    response = await client.get("/stats/sources.csv", headers=admin.headers)
    assert [line["source"] for line in csv_rows(response.text)] == ["Trade fair = fun"]


async def test_csv_is_a_download(client: httpx.AsyncClient, admin: Caller) -> None:
    response = await client.get("/stats/sources.csv", headers=admin.headers)
    assert response.headers["content-disposition"] == 'attachment; filename="sources.csv"'
