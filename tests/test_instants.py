"""Date-times with any offset mean the same instant, in lists, statistics and the CSV alike.

SQLite keeps date-times as text; a bound written with another offset than the stored UTC used
to be compared as text there ("11:30+01:00" after "10:45+00:00").
"""

from __future__ import annotations

import base64
import csv
import io
import json
from datetime import UTC, datetime

import httpx
import pytest

from models import Company, Deal, Person
from tests.graphql import GQL, Caller, Records

LISTS = """query($filter: ContactFilter, $deals: DealFilter) {
  persons(filter: $filter) { edges { node { firstName } } }
  companies(filter: $filter) { edges { node { name } } }
  deals(filter: $deals) { edges { node { title } } } }"""
STATS = """query($from: DateTime, $to: DateTime) {
  sourceStats(createdFrom: $from, createdTo: $to) {
    label count persons companies deals { count totalValue } } }"""

EARLY = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
MIDDLE = datetime(2026, 11, 27, 10, 45, tzinfo=UTC)
LATE = datetime(2026, 11, 27, 16, 30, tzinfo=UTC)

# 10:30 UTC and 16:00 UTC, each written three ways
FROM_10_30 = ["2026-11-27T10:30:00Z", "2026-11-27T11:30:00+01:00", "2026-11-27T05:30:00-05:00"]
TO_16_00 = ["2026-11-27T16:00:00+00:00", "2026-11-27T17:00:00+01:00", "2026-11-27T11:00:00-05:00"]


@pytest.fixture
async def timeline(alpha: Records) -> None:
    """A person, a company and a deal at each of EARLY, MIDDLE and LATE; the deal's value tells which."""
    for label, created, value in (("early", EARLY, "1"), ("middle", MIDDLE, "10"), ("late", LATE, "100")):
        records = [
            (Person, await alpha.person(label)),
            (Company, await alpha.company(label)),
            (Deal, await alpha.deal(label, value=value)),
        ]
        # the contract has no way to backdate a record: set creation dates in the database
        for model, record in records:
            await model.filter(id=record["id"]).update(created_at=created, updated_at=created)


async def listed(gql: GQL, who: Caller, **bounds: str) -> dict[str, list[str]]:
    data = await gql.ok(who, LISTS, filter=bounds, deals=bounds)
    return {
        "persons": [e["node"]["firstName"] for e in data["persons"]["edges"]],
        "companies": [e["node"]["name"] for e in data["companies"]["edges"]],
        "deals": [e["node"]["title"] for e in data["deals"]["edges"]],
    }


def every_list(*names: str) -> dict[str, list[str]]:
    return {"persons": list(names), "companies": list(names), "deals": list(names)}


@pytest.mark.parametrize("created_from", FROM_10_30)
async def test_lists_compare_created_from_as_an_instant(
    gql: GQL, admin: Caller, timeline: None, created_from: str
) -> None:
    assert await listed(gql, admin, createdFrom=created_from) == every_list("late", "middle")


@pytest.mark.parametrize("created_to", TO_16_00)
async def test_lists_compare_created_to_as_an_instant(
    gql: GQL, admin: Caller, timeline: None, created_to: str
) -> None:
    assert await listed(gql, admin, createdTo=created_to) == every_list("middle", "early")


@pytest.mark.parametrize(("created_from", "created_to"), list(zip(FROM_10_30, TO_16_00, strict=True)))
async def test_source_stats_and_the_csv_count_the_same_instants(
    client: httpx.AsyncClient, gql: GQL, admin: Caller, timeline: None, created_from: str, created_to: str
) -> None:
    # when
    rows = (await gql.ok(admin, STATS, **{"from": created_from, "to": created_to}))["sourceStats"]
    response = await client.get(
        "/stats/sources.csv",
        params={"createdFrom": created_from, "createdTo": created_to},
        headers=admin.headers,
    )
    # then: only MIDDLE is in [10:30, 16:00)
    assert rows == [
        {
            "label": "No source",
            "count": 2,
            "persons": 1,
            "companies": 1,
            "deals": {"count": 1, "totalValue": "10.00"},
        }
    ]
    [line] = list(csv.DictReader(io.StringIO(response.text)))
    assert (line["count"], line["persons"], line["companies"], line["deals"], line["deal_value"]) == (
        "2", "1", "1", "1", "10.00",
    )  # fmt: skip


async def test_answers_are_in_utc(gql: GQL, admin: Caller, timeline: None) -> None:
    data = await gql.ok(admin, "{ persons(first: 1) { edges { node { createdAt } } } }")
    assert data["persons"]["edges"][0]["node"]["createdAt"] == "2026-11-27T16:30:00+00:00"


@pytest.mark.parametrize("instant", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00"])
async def test_an_instant_beyond_the_calendar_in_utc_is_bad_user_input(
    client: httpx.AsyncClient, gql: GQL, admin: Caller, instant: str
) -> None:
    variable = await gql.error(
        admin, "query($d: DateTime) { sourceStats(createdFrom: $d) { count } }", d=instant
    )
    literal = await gql.error(admin, f'{{ persons(filter: {{createdTo: "{instant}"}}) {{ totalCount }} }}')
    response = await client.get("/stats/sources.csv", params={"createdTo": instant}, headers=admin.headers)
    assert variable["extensions"] == {"code": "BAD_USER_INPUT", "field": "createdFrom"}
    assert literal["extensions"] == {"code": "BAD_USER_INPUT", "field": "createdTo"}
    assert (response.status_code, response.text) == (400, "createdTo must be an ISO-8601 date-time\n")


async def test_a_cursor_written_with_an_offset_means_the_same_instant(
    gql: GQL, admin: Caller, timeline: None
) -> None:
    # given: a hand-made cursor at 10:30 UTC, written as 11:30+01:00, with the largest id
    raw = json.dumps(["2026-11-27T11:30:00+01:00", "ffffffff-ffff-ffff-ffff-ffffffffffff"])
    after = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    # when
    data = await gql.ok(
        admin, "query($a: String) { persons(after: $a) { edges { node { firstName } } } }", a=after
    )
    # then: the records created before 10:30 UTC
    assert [e["node"]["firstName"] for e in data["persons"]["edges"]] == ["early"]
