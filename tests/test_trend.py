"""sourceTrend and /stats/sources-trend.csv: calendar periods in a time zone, each with exactly the
rows sourceStats gives for it."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from graphql import OperationDefinitionNode, TypeInfo, ValidationContext, parse

from models import Company, Deal, Person
from schema import schema
from schema.cost import HEAVY_FIELDS, LIST_SIZE, document_cost
from tests.csv_rows import csv_row_of, csv_rows
from tests.documents import ARCHIVE_SOURCE, UPDATE_PERSON
from tests.graphql import GQL, Caller, Records

ROW = """source { id name } label color count persons companies share
         deals { count totalValue averageValue won wonValue winRate }"""
TREND = f"""query($interval: Interval!, $from: DateTime!, $to: DateTime!, $zone: String!, $userIds: [ID!],
               $kind: ContactKind!, $attribution: Attribution) {{
  sourceTrend(interval: $interval, createdFrom: $from, createdTo: $to, timeZone: $zone, userIds: $userIds,
              contactKind: $kind, attribution: $attribution) {{ start end label rows {{ {ROW} }} }} }}"""
PERIODS = """query($interval: Interval!, $from: DateTime!, $to: DateTime!, $zone: String!) {
  sourceTrend(interval: $interval, createdFrom: $from, createdTo: $to, timeZone: $zone) {
    start end label } }"""
STATS = f"""query($userIds: [ID!], $kind: ContactKind!, $from: DateTime, $to: DateTime,
               $attribution: Attribution) {{
  sourceStats(userIds: $userIds, contactKind: $kind, createdFrom: $from, createdTo: $to,
              attribution: $attribution) {{ {ROW} }} }}"""

WARSAW, NEW_YORK = "Europe/Warsaw", "America/New_York"


def local(zone: str, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(zone))  # type: ignore[arg-type]


def z(text: str) -> str:
    """An instant as the API writes it: ISO-8601 in UTC."""
    return datetime.fromisoformat(text).astimezone(UTC).isoformat()


async def periods(gql: GQL, who: Caller, interval: str, start: datetime, end: datetime, zone: str) -> Any:
    variables = {"interval": interval, "from": start.isoformat(), "to": end.isoformat(), "zone": zone}
    return (await gql.ok(who, PERIODS, **variables))["sourceTrend"]


def hours(period: dict[str, str]) -> float:
    return (datetime.fromisoformat(period["end"]) - datetime.fromisoformat(period["start"])) / timedelta(
        hours=1
    )


# --- periods and labels: March to November 2026 holds both clock changes of both zones -------------

# (the day clocks go forward, the day they go back) and the first instants of those days
DST_DAYS = {
    WARSAW: [
        {"label": "2026-03-29", "start": z("2026-03-28T23:00Z"), "end": z("2026-03-29T22:00Z")},
        {"label": "2026-10-25", "start": z("2026-10-24T22:00Z"), "end": z("2026-10-25T23:00Z")},
    ],
    NEW_YORK: [
        {"label": "2026-03-08", "start": z("2026-03-08T05:00Z"), "end": z("2026-03-09T04:00Z")},
        {"label": "2026-11-01", "start": z("2026-11-01T04:00Z"), "end": z("2026-11-02T05:00Z")},
    ],
}
MONTH_STARTS = {
    WARSAW: ["02-28T23", "03-31T22", "04-30T22", "05-31T22", "06-30T22", "07-31T22", "08-31T22",
             "09-30T22", "10-31T23", "11-30T23"],
    NEW_YORK: ["03-01T05", "04-01T04", "05-01T04", "06-01T04", "07-01T04", "08-01T04", "09-01T04",
               "10-01T04", "11-01T04", "12-01T05"],
}  # fmt: skip


@pytest.mark.parametrize("zone", [WARSAW, NEW_YORK])
async def test_days_are_calendar_days_23_or_25_hours_long_when_clocks_change(
    gql: GQL, admin: Caller, zone: str
) -> None:
    # when
    days = await periods(gql, admin, "DAY", local(zone, 2026, 3, 1), local(zone, 2026, 12, 1), zone)
    # then: every day of March to November, each starting at its local midnight
    first = date(2026, 3, 1)
    assert [d["label"] for d in days] == [(first + timedelta(days=i)).isoformat() for i in range(275)]
    assert all(a["end"] == b["start"] for a, b in itertools.pairwise(days))
    for day in days:
        start = datetime.fromisoformat(day["start"]).astimezone(ZoneInfo(zone))
        assert (start.date().isoformat(), start.hour, start.minute) == (day["label"], 0, 0)
    assert [d for d in days if hours(d) != 24] == DST_DAYS[zone]
    assert [hours(d) for d in days if hours(d) != 24] == [23, 25]


@pytest.mark.parametrize("zone", [WARSAW, NEW_YORK])
async def test_weeks_are_iso_weeks_from_monday_clipped_to_the_range(
    gql: GQL, admin: Caller, zone: str
) -> None:
    # when: 2026-03-01 is a Sunday, 2026-12-01 a Tuesday
    weeks = await periods(gql, admin, "WEEK", local(zone, 2026, 3, 1), local(zone, 2026, 12, 1), zone)
    # then
    assert [w["label"] for w in weeks] == [f"2026-W{n:02d}" for n in range(9, 50)]
    assert weeks[0] == {"label": "2026-W09", "start": z(local(zone, 2026, 3, 1).isoformat()),
                        "end": z(local(zone, 2026, 3, 2).isoformat())}  # fmt: skip
    assert weeks[-1]["start"] == z(local(zone, 2026, 11, 30).isoformat())
    assert weeks[-1]["end"] == z(local(zone, 2026, 12, 1).isoformat())
    for week in weeks[1:]:
        monday = datetime.fromisoformat(week["start"]).astimezone(ZoneInfo(zone))
        assert (monday.weekday(), monday.hour) == (0, 0)
        assert week["label"] == f"{monday.isocalendar().year}-W{monday.isocalendar().week:02d}"
    changed = {w["label"]: hours(w) for w in weeks[1:-1] if hours(w) != 7 * 24}
    assert changed == (
        {"2026-W13": 167, "2026-W43": 169} if zone == WARSAW else {"2026-W10": 167, "2026-W44": 169}
    )


@pytest.mark.parametrize("zone", [WARSAW, NEW_YORK])
async def test_months_quarters_and_years_start_at_local_midnight(gql: GQL, admin: Caller, zone: str) -> None:
    start, end = local(zone, 2026, 3, 1), local(zone, 2026, 12, 1)
    # when
    months = await periods(gql, admin, "MONTH", start, end, zone)
    quarters = await periods(gql, admin, "QUARTER", start, end, zone)
    years = await periods(gql, admin, "YEAR", start, end, zone)
    # then
    edges = [z(f"2026-{edge}:00Z") for edge in MONTH_STARTS[zone]]
    assert months == [
        {"label": f"2026-{m:02d}", "start": edges[i], "end": edges[i + 1]} for i, m in enumerate(range(3, 12))
    ]
    assert quarters == [
        {"label": "2026-Q1", "start": edges[0], "end": edges[1]},  # clipped: March only
        {"label": "2026-Q2", "start": edges[1], "end": edges[4]},
        {"label": "2026-Q3", "start": edges[4], "end": edges[7]},
        {"label": "2026-Q4", "start": edges[7], "end": edges[9]},  # clipped: to December 1
    ]
    assert years == [{"label": "2026", "start": edges[0], "end": edges[9]}]


async def test_iso_weeks_belong_to_the_year_of_their_thursday(gql: GQL, admin: Caller) -> None:
    weeks = await periods(gql, admin, "WEEK", local("UTC", 2024, 12, 30), local("UTC", 2025, 1, 6), "UTC")
    assert [w["label"] for w in weeks] == ["2025-W01"]
    weeks = await periods(gql, admin, "WEEK", local("UTC", 2026, 12, 28), local("UTC", 2027, 1, 11), "UTC")
    assert [w["label"] for w in weeks] == ["2026-W53", "2027-W01"]


async def test_a_range_off_the_calendar_is_clipped_at_both_ends(gql: GQL, admin: Caller) -> None:
    # when: 10:00 UTC on 2026-01-15 to 06:00 UTC on 2026-03-02, by month in Warsaw
    months = await periods(
        gql,
        admin,
        "MONTH",
        datetime(2026, 1, 15, 10, tzinfo=UTC),
        datetime(2026, 3, 2, 6, tzinfo=UTC),
        WARSAW,
    )
    # then: every month that overlaps, the first and last cut at the range
    assert months == [
        {"label": "2026-01", "start": z("2026-01-15T10:00Z"), "end": z("2026-01-31T23:00Z")},
        {"label": "2026-02", "start": z("2026-01-31T23:00Z"), "end": z("2026-02-28T23:00Z")},
        {"label": "2026-03", "start": z("2026-02-28T23:00Z"), "end": z("2026-03-02T06:00Z")},
    ]


async def test_a_day_that_starts_after_a_gap_over_midnight_starts_when_the_gap_ends(
    gql: GQL, admin: Caller
) -> None:
    # Chile moves its clocks from 2026-09-06 00:00 to 01:00: that day has no midnight
    zone = "America/Santiago"
    days = await periods(gql, admin, "DAY", local(zone, 2026, 9, 5), local(zone, 2026, 9, 8), zone)
    assert days == [
        {"label": "2026-09-05", "start": z("2026-09-05T04:00Z"), "end": z("2026-09-06T04:00Z")},
        {"label": "2026-09-06", "start": z("2026-09-06T04:00Z"), "end": z("2026-09-07T03:00Z")},
        {"label": "2026-09-07", "start": z("2026-09-07T03:00Z"), "end": z("2026-09-08T03:00Z")},
    ]


# --- records land in the period of their local time --------------------------------------------------


async def backdate(
    model: type[Company] | type[Person] | type[Deal], record: dict[str, Any], at: datetime
) -> None:
    """The contract has no way to backdate a record: set its creation time in the database."""
    await model.filter(id=record["id"]).update(created_at=at.astimezone(UTC))


async def trend(
    gql: GQL, who: Caller, interval: str, start: datetime, end: datetime, zone: str, **more: Any
) -> Any:
    variables = {"interval": interval, "from": start.isoformat(), "to": end.isoformat(), "zone": zone, **more}
    variables.setdefault("kind", "ALL")
    return (await gql.ok(who, TREND, **variables))["sourceTrend"]


def counts(result: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """Per period label: (contacts, deals)."""
    return {
        p["label"]: (sum(r["count"] for r in p["rows"]), sum(r["deals"]["count"] for r in p["rows"]))
        for p in result
    }


@pytest.mark.parametrize(
    ("zone", "at", "local_month", "utc_month"),
    [
        (NEW_YORK, (2026, 3, 31, 23, 30), "2026-03", "2026-04"),  # 03:30 UTC on April 1
        (WARSAW, (2026, 1, 31, 23, 30), "2026-01", "2026-01"),  # 22:30 UTC
        (WARSAW, (2026, 4, 1, 0, 30), "2026-04", "2026-03"),  # 22:30 UTC on March 31
    ],
)
async def test_a_record_created_late_on_a_months_last_day_counts_in_its_local_month(
    gql: GQL, admin: Caller, alpha: Records, zone: str, at: tuple[int, ...], local_month: str, utc_month: str
) -> None:
    # given: a person and a deal created at that local time
    created = local(zone, *at)
    await backdate(Person, await alpha.person("Late"), created)
    await backdate(Deal, await alpha.deal("Late deal", value="10"), created)
    start, end = datetime(2025, 12, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)
    # when
    in_zone = counts(await trend(gql, admin, "MONTH", start, end, zone))
    in_utc = counts(await trend(gql, admin, "MONTH", start, end, "UTC"))
    # then
    assert {label: n for label, n in in_zone.items() if n != (0, 0)} == {local_month: (1, 1)}
    assert {label: n for label, n in in_utc.items() if n != (0, 0)} == {utc_month: (1, 1)}


# --- each period's rows are sourceStats over that period -------------------------------------------


@pytest.fixture
async def spread(gql: GQL, admin: Caller, user: Caller, alpha: Records) -> dict[str, Any]:
    """Records of both kinds, two owners, three sources (one archived) and none, deals in every
    status, created over 2025 and 2026 (a few on period edges)."""
    web, fair, old = [await alpha.source(n) for n in ("Web", "Fair", "Old")]
    sources = [web["id"], fair["id"], old["id"], None]
    owners = [admin.user_id, user.user_id]
    statuses = ["OPEN", "WON", "LOST"]
    edges = [local(WARSAW, 2026, 3, 1), local(WARSAW, 2026, 3, 29, 3), local(WARSAW, 2026, 10, 25, 2, 30)]
    for i in range(36):
        at = (
            edges[i % 3]
            if i % 4 == 0
            else datetime(2025, 1, 20, tzinfo=UTC) + timedelta(days=19 * i, hours=i)
        )
        fields = {"sourceId": sources[i % 4], "ownerId": owners[i % 2]}
        await backdate(Person, await alpha.person(f"P{i}", **fields), at)
        if i % 3 == 0:
            await backdate(Company, await alpha.company(f"C{i}", **fields), at + timedelta(hours=5))
        if i % 2 == 0:
            deal = await alpha.deal(f"D{i}", value=f"{i * 100 + 0.5:.2f}", status=statuses[i % 3], **fields)
            await backdate(Deal, deal, at - timedelta(minutes=1))
    await gql.ok(admin, ARCHIVE_SOURCE, id=old["id"])
    return {"user": user.user_id}


@pytest.mark.parametrize(
    ("interval", "zone", "kind", "owners"),
    [
        ("MONTH", WARSAW, "ALL", False),
        ("QUARTER", NEW_YORK, "PERSONS", False),
        ("WEEK", WARSAW, "COMPANIES", True),
        ("YEAR", "UTC", "ALL", True),
        ("DAY", NEW_YORK, "ALL", False),
    ],
)
async def test_each_periods_rows_are_source_stats_over_that_period(
    gql: GQL, admin: Caller, spread: dict[str, Any], interval: str, zone: str, kind: str, owners: bool
) -> None:
    # given
    user_ids = [spread["user"]] if owners else None
    start, end = local(zone, 2025, 1, 1), local(zone, 2027, 1, 1)
    if interval == "DAY":
        start, end = local(zone, 2026, 2, 20), local(zone, 2026, 4, 10)
    # when
    result = await trend(gql, admin, interval, start, end, zone, kind=kind, userIds=user_ids)
    # then
    assert result
    for period in result:
        expected = await gql.ok(
            admin, STATS, kind=kind, userIds=user_ids, **{"from": period["start"], "to": period["end"]}
        )
        assert period["rows"] == expected["sourceStats"], period["label"]
    counted = sum(r["count"] for p in result for r in p["rows"])
    whole = await gql.ok(
        admin, STATS, kind=kind, userIds=user_ids, **{"from": start.isoformat(), "to": end.isoformat()}
    )
    assert counted == sum(r["count"] for r in whole["sourceStats"]) > 0


async def test_by_first_touch_each_periods_rows_are_source_stats_by_first_touch(
    gql: GQL, admin: Caller, spread: dict[str, Any]
) -> None:
    # given: some persons and deals moved to another source or cleared since, so first touch differs
    sources = {s["name"]: s["id"] for s in (await gql.ok(admin, "{ sources { id name } }"))["sources"]}
    persons = (await gql.ok(admin, "{ persons(first: 200) { edges { node { id } } } }"))["persons"]["edges"]
    for i, edge in enumerate(persons):
        if i % 3 == 0:
            moved = sources["Fair"] if i % 2 else None
            await gql.ok(admin, UPDATE_PERSON, id=edge["node"]["id"], input={"sourceId": moved})
    start, end = local(WARSAW, 2025, 1, 1), local(WARSAW, 2027, 1, 1)
    # when
    first = await trend(gql, admin, "QUARTER", start, end, WARSAW, attribution="FIRST_TOUCH")
    current = await trend(gql, admin, "QUARTER", start, end, WARSAW)
    # then
    assert first != current
    for period in first:
        expected = await gql.ok(
            admin,
            STATS,
            kind="ALL",
            attribution="FIRST_TOUCH",
            **{"from": period["start"], "to": period["end"]},
        )
        assert period["rows"] == expected["sourceStats"], period["label"]


async def test_periods_without_deal_figures_selected_have_the_same_rows(
    gql: GQL, admin: Caller, spread: dict[str, Any]
) -> None:
    # given
    no_deals = TREND.replace(ROW, "source { id name } label color count persons companies share")
    variables = {"interval": "MONTH", "from": local("UTC", 2025, 1, 1).isoformat(),
                 "to": local("UTC", 2027, 1, 1).isoformat(), "zone": "UTC", "kind": "COMPANIES"}  # fmt: skip
    # when
    with_deals = (await gql.ok(admin, TREND, **variables))["sourceTrend"]
    without = (await gql.ok(admin, no_deals, **variables))["sourceTrend"]
    # then
    assert [
        {**p, "rows": [{k: v for k, v in r.items() if k != "deals"} for r in p["rows"]]} for p in with_deals
    ] == without
    assert any(r["deals"]["count"] and not r["count"] for p in with_deals for r in p["rows"])


async def test_attribution_current_or_null_is_the_default(
    gql: GQL, admin: Caller, spread: dict[str, Any]
) -> None:
    start, end = local("UTC", 2025, 1, 1), local("UTC", 2027, 1, 1)
    default = await trend(gql, admin, "QUARTER", start, end, "UTC")
    assert await trend(gql, admin, "QUARTER", start, end, "UTC", attribution="CURRENT") == default
    assert await trend(gql, admin, "QUARTER", start, end, "UTC", attribution=None) == default


async def test_nobody_counts_nothing_in_any_period(gql: GQL, admin: Caller, spread: dict[str, Any]) -> None:
    result = await trend(
        gql, admin, "YEAR", local("UTC", 2025, 1, 1), local("UTC", 2027, 1, 1), "UTC", userIds=[]
    )
    assert [[(r["label"], r["count"]) for r in p["rows"]] for p in result] == [
        [("Fair", 0), ("Web", 0)],
        [("Fair", 0), ("Web", 0)],
    ]


# --- limits and bad input ------------------------------------------------------------------------


async def test_400_periods_are_allowed_and_401_refused(gql: GQL, admin: Caller) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert len(await periods(gql, admin, "DAY", start, start + timedelta(days=400), "UTC")) == 400
    assert (
        len(
            await periods(
                gql,
                admin,
                "WEEK",
                local("UTC", 2026, 1, 5),
                local("UTC", 2026, 1, 5) + timedelta(weeks=400),
                "UTC",
            )
        )
        == 400
    )
    variables = {"interval": "DAY", "from": start.isoformat(), "zone": "UTC"}
    error = await gql.error(
        admin, PERIODS, to=(start + timedelta(days=400, seconds=1)).isoformat(), **variables
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "createdTo"}
    assert "400" in error["message"]


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "europe/warsaw", "localtime", "", "+01:00", "W" * 300])
async def test_an_unknown_time_zone_is_refused(gql: GQL, admin: Caller, zone: str) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    variables = {
        "interval": "MONTH",
        "from": start.isoformat(),
        "to": (start + timedelta(days=60)).isoformat(),
    }
    error = await gql.error(admin, PERIODS, zone=zone, **variables)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "timeZone"}


@pytest.mark.parametrize("to", ["2026-01-01T00:00:00Z", "2025-12-31T00:00:00Z"])
async def test_a_range_that_ends_before_it_starts_is_refused(gql: GQL, admin: Caller, to: str) -> None:
    error = await gql.error(
        admin, PERIODS, interval="DAY", to=to, zone="UTC", **{"from": "2026-01-01T00:00:00Z"}
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "createdTo"}


async def test_time_zone_defaults_to_utc(gql: GQL, admin: Caller) -> None:
    data = await gql.ok(
        admin,
        """{ sourceTrend(interval: MONTH, createdFrom: "2026-01-15T00:00:00Z",
      createdTo: "2026-02-15T00:00:00Z") { start end label } }""",
    )
    assert data["sourceTrend"] == [
        {"label": "2026-01", "start": z("2026-01-15T00:00Z"), "end": z("2026-02-01T00:00Z")},
        {"label": "2026-02", "start": z("2026-02-01T00:00Z"), "end": z("2026-02-15T00:00Z")},
    ]


def cost(document: str) -> int:
    graphql_schema = schema._schema
    parsed = parse(document)
    context = ValidationContext(graphql_schema, parsed, TypeInfo(graphql_schema), lambda _: None)
    definition = parsed.definitions[0]
    assert isinstance(definition, OperationDefinitionNode)
    assert graphql_schema.query_type is not None
    return document_cost(definition.selection_set, graphql_schema.query_type, context)


def test_a_trend_costs_its_weight_once_and_each_period_like_the_rows_of_source_stats() -> None:
    trend = cost(f"""{{ sourceTrend(interval: DAY, createdFrom: "2026-01-01T00:00:00Z",
      createdTo: "2026-02-01T00:00:00Z") {{ start end label rows {{ {ROW} }} }} }}""")
    # a period's rows cost what sourceStats costs without its weight (the aggregate is the trend's)
    rows = cost(f"{{ sourceStats {{ {ROW} }} }}") - HEAVY_FIELDS["sourceStats"]
    assert trend == 1 + HEAVY_FIELDS["sourceTrend"] + LIST_SIZE * (3 + rows)
    assert HEAVY_FIELDS["sourceTrend"] == 2 * HEAVY_FIELDS["sourceStats"]


async def test_a_trend_with_every_row_field_by_month_fits_the_default_cost_limit(
    gql: GQL, admin: Caller
) -> None:
    document = f"""{{ sourceTrend(interval: MONTH, createdFrom: "2025-01-01T00:00:00Z",
      createdTo: "2026-01-01T00:00:00Z") {{ start end label rows {{ {ROW} }} }} }}"""
    assert len((await gql.ok(admin, document))["sourceTrend"]) == 12


# --- the CSV -----------------------------------------------------------------------------------


async def test_trend_csv_is_the_graphql_trend_row_for_row(
    client: httpx.AsyncClient, gql: GQL, admin: Caller, spread: dict[str, Any]
) -> None:
    # given
    start, end = local(WARSAW, 2025, 1, 1), local(WARSAW, 2027, 1, 1)
    params = {"interval": "QUARTER", "createdFrom": start.isoformat(), "createdTo": end.isoformat(),
              "timeZone": WARSAW, "contactKind": "PERSONS", "userIds": spread["user"]}  # fmt: skip
    # when
    response = await client.get("/stats/sources-trend.csv", params=params, headers=admin.headers)
    result = await trend(gql, admin, "QUARTER", start, end, WARSAW, kind="PERSONS", userIds=[spread["user"]])
    # then
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="sources-trend.csv"'
    assert response.text.splitlines()[0] == (
        "period_start,period,source_id,source,count,persons,companies,share,deals,deal_value,won_deals,"
        "won_value,average_deal_value,win_rate"
    )
    expected = [
        {"period_start": p["start"], "period": p["label"], **csv_row_of(r)} for p in result for r in p["rows"]
    ]
    assert csv_rows(response.text) == expected
    assert {line["period"] for line in expected} == {f"{y}-Q{q}" for y in (2025, 2026) for q in range(1, 5)}


GOOD = {"interval": "MONTH", "createdFrom": "2026-01-01T00:00:00Z", "createdTo": "2026-03-01T00:00:00Z"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"interval": None}, "interval is required"),
        ({"createdTo": None}, "createdTo is required"),
        ({"interval": "HOUR"}, "interval must be DAY, WEEK, MONTH, QUARTER or YEAR"),
        ({"timeZone": "Mars/Base"}, "'Mars/Base' is not an IANA time zone name such as Europe/Warsaw or UTC"),
        ({"createdTo": "2026-01-01T00:00:00Z"}, "createdTo must be later than createdFrom"),
        (
            {"interval": "DAY", "createdTo": "2027-06-01T00:00:00Z"},
            "the range holds more than 400 periods of DAY",
        ),
        ({"contactKind": "EVERYONE"}, "contactKind must be PERSONS, COMPANIES or ALL"),
        ({"attribution": "LAST_TOUCH"}, "attribution must be CURRENT or FIRST_TOUCH"),
    ],
)
async def test_trend_csv_bad_parameters_get_400_with_a_one_line_reason(
    client: httpx.AsyncClient, admin: Caller, params: dict[str, str | None], message: str
) -> None:
    query = {k: v for k, v in {**GOOD, **params}.items() if v is not None}
    response = await client.get("/stats/sources-trend.csv", params=query, headers=admin.headers)
    assert response.status_code == 400
    assert response.text.startswith(message)
    assert response.text.count("\n") == 1


async def test_trend_csv_needs_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/stats/sources-trend.csv", params=GOOD)
    assert response.status_code == 401
