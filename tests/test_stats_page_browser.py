"""The statistics page (/stats) in a real, offline Chromium, against a real `tributary serve --demo`.

What the page shows is compared with what the API answers for the same filters (fetched here
with httpx), cell by cell as a person reads it: the numbers formatted the way the browser's
language writes them. Every request to another host is blocked and recorded; none may be
attempted. Playwright's sync API cannot run inside an event loop, so these are plain tests.

The browser runs in Europe/Warsaw, so the dates of the filters mean Warsaw midnights here too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest

from processes import Server, run_cli, serving
from tests import browser

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.skipif(
    not browser.chromium_available() and not os.environ.get("CI"),
    reason="needs Debian's chromium and the playwright package (.ci/run installs both)",
)

TIME_ZONE = "Europe/Warsaw"
READY = "#results[aria-busy=false]"

STATS = """
query ($userIds: [ID!], $contactKind: ContactKind!, $createdFrom: DateTime, $createdTo: DateTime) {
  sourceStats(userIds: $userIds, contactKind: $contactKind, createdFrom: $createdFrom,
              createdTo: $createdTo) {
    source { id } label count share persons companies deals { count totalValue won winRate }
  }
}"""
# the v2 parts (issues "Sources as a managed list", "Attribution", "Statistics over time")
COLORS = """
query { sourceStats(contactKind: ALL) { source { id } color count } }"""
STATS_V2 = """
query ($contactKind: ContactKind!, $attribution: Attribution) {
  sourceStats(contactKind: $contactKind, attribution: $attribution) {
    source { id } label color count share persons companies deals { count totalValue won winRate }
  }
}"""
TREND = """
query ($createdFrom: DateTime!, $createdTo: DateTime!, $timeZone: String!) {
  sourceTrend(interval: MONTH, createdFrom: $createdFrom, createdTo: $createdTo, timeZone: $timeZone) {
    start end label rows { source { id } color count }
  }
}"""
USERS = "{ users { id name role } }"

SHOWN_ROWS = """() => Array.from(document.querySelectorAll('#table tbody tr')).map((tr) => [
    tr.dataset.sourceId, ...Array.from(tr.cells).map((c) => c.textContent.trim())])"""


# --- the server and the API ------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(module_database_url: str) -> Iterator[tuple[Server, str]]:
    """`tributary serve --demo` and its admin's token (tests only read, and add one empty account)."""
    with serving(module_database_url, "--demo") as server:
        yield server, server.first_lines[0].removeprefix("Demo admin token: ")


def api(server: Server, token: str, query: str, **variables: Any) -> dict[str, Any]:
    response = httpx.post(
        f"{server.url}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def warsaw_midnight(day: date) -> str:
    """The instant a day starts in the browser's time zone, as the page sends it (UTC)."""
    start = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(TIME_ZONE))
    return start.astimezone(ZoneInfo("UTC")).isoformat().replace("+00:00", "Z")


# --- numbers as Intl.NumberFormat writes them in English (en-US) and Polish (pl-PL) ----------


def _grouped(digits: str, lang: str) -> str:
    if lang == "pl" and len(digits) < 5:  # Polish groups from five digits on
        return digits
    separator = "\u00a0" if lang == "pl" else ","
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return separator.join(groups)


def decimal_text(value: Decimal, lang: str, *, places: int, keep_zeros: bool) -> str:
    """`value` rounded half away from zero to `places` (Intl's rounding), written in `lang`."""
    rounded = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    whole, _, fraction = f"{rounded:f}".partition(".")
    if not keep_zeros:
        fraction = fraction.rstrip("0")
    point = "," if lang == "pl" else "."
    return _grouped(whole, lang) + (point + fraction if fraction else "")


def integer(n: int, lang: str) -> str:
    return decimal_text(Decimal(n), lang, places=0, keep_zeros=True)


def share(x: float, lang: str) -> str:
    return decimal_text(Decimal(x) * 100, lang, places=1, keep_zeros=True) + "%"


def win_rate(x: float | None, lang: str) -> str:
    return "—" if x is None else decimal_text(Decimal(x) * 100, lang, places=1, keep_zeros=False) + "%"


def money(value: str, lang: str) -> str:
    return decimal_text(Decimal(value), lang, places=2, keep_zeros=True)


def as_shown(rows: list[dict[str, Any]], lang: str = "en") -> list[list[str]]:
    """sourceStats rows as the page's table should show them, one list of cell texts per row."""
    no_source = "Brak źródła" if lang == "pl" else "No source"
    return [
        [
            row["source"]["id"] if row["source"] else "",
            row["label"] if row["source"] else no_source,
            integer(row["count"], lang),
            share(row["share"], lang),
            integer(row["persons"], lang),
            integer(row["companies"], lang),
            integer(row["deals"]["count"], lang),
            money(row["deals"]["totalValue"], lang),
            integer(row["deals"]["won"], lang),
            win_rate(row["deals"]["winRate"], lang),
        ]
        for row in rows
    ]


# --- driving the page ---------------------------------------------------------------------------


def sign_in(page: Page, url: str, token: str, *, label: str = "Access token") -> None:
    page.goto(f"{url}/stats")
    page.get_by_label(label, exact=True).fill(token)
    page.keyboard.press("Enter")
    page.wait_for_selector(READY)


def shown_rows(page: Page) -> list[list[str]]:
    rows: list[list[str]] = page.evaluate(SHOWN_ROWS)
    return rows


def query_of(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def screenshot_folder(tmp_path: Path) -> Path:
    return Path(os.environ.get("TRIBUTARY_SCREENSHOTS", tmp_path))


# --- the tests ----------------------------------------------------------------------------------


def test_the_table_equals_source_stats_and_follows_the_owner_and_kind_filters(
    demo: tuple[Server, str],
) -> None:
    server, token = demo
    owner = next(u for u in api(server, token, USERS)["users"] if u["role"] == "USER")
    errors: list[str] = []
    with browser.offline_page(server.url, page_errors=errors, timezone_id=TIME_ZONE) as (page, foreign):
        # given: the page, with no other host reachable, and the demo admin's token pasted once
        sign_in(page, server.url, token)
        everyone = shown_rows(page)
        # when: one owner is ticked and the kind set to persons
        page.get_by_label(owner["name"], exact=True).check()
        page.wait_for_selector(READY)
        page.get_by_label("Contacts", exact=True).select_option("PERSONS")
        page.wait_for_selector(READY)
        filtered = shown_rows(page)
        url = query_of(page)
        storage = browser.web_storage(page)
    # then
    assert everyone == as_shown(api(server, token, STATS, contactKind="ALL")["sourceStats"])
    expected = api(server, token, STATS, contactKind="PERSONS", userIds=[owner["id"]])["sourceStats"]
    assert filtered == as_shown(expected)
    assert filtered != everyone
    assert url == {"userIds": [owner["id"]], "contactKind": ["PERSONS"]}
    assert foreign == []
    assert errors == []
    assert storage["localStorage"] == {}
    assert list(storage["sessionStorage"].values()) == [token]


def test_a_date_range_filters_the_table_and_a_url_with_filters_restores_them(
    demo: tuple[Server, str],
) -> None:
    server, token = demo
    owner = next(u for u in api(server, token, USERS)["users"] if u["role"] == "USER")
    first, last = date.today() - timedelta(days=400), date.today() - timedelta(days=30)
    with browser.offline_page(server.url, timezone_id=TIME_ZONE) as (page, foreign):
        # given
        sign_in(page, server.url, token)
        # when: a range is chosen (the "to" day is included)
        page.get_by_label("Created from", exact=True).fill(first.isoformat())
        page.wait_for_selector(READY)
        page.get_by_label("Created to (inclusive)", exact=True).fill(last.isoformat())
        page.wait_for_selector(READY)
        ranged = shown_rows(page)
        # and: an end before the start is refused with a message, keeping what is shown
        page.get_by_label("Created to (inclusive)", exact=True).fill((first - timedelta(days=1)).isoformat())
        page.locator("#failure").wait_for(state="visible")
        backwards = page.locator("#failure").inner_text()
        kept = shown_rows(page)
        # and: a link with filters is opened in the same tab (the token is still there)
        search = urlencode({"userIds": owner["id"], "contactKind": "COMPANIES", "from": first.isoformat()})
        page.goto(f"{server.url}/stats?{search}")
        page.wait_for_selector(READY)
        restored = shown_rows(page)
        form = page.evaluate(
            """() => ({owners: Array.from(document.querySelectorAll('#owner-list input:checked'))
                          .map((b) => b.value),
                       kind: document.getElementById('contact-kind').value,
                       from: document.getElementById('date-from').value,
                       to: document.getElementById('date-to').value})"""
        )
        url = query_of(page)
    # then
    created = {"createdFrom": warsaw_midnight(first), "createdTo": warsaw_midnight(last + timedelta(days=1))}
    assert ranged == as_shown(api(server, token, STATS, contactKind="ALL", **created)["sourceStats"])
    assert "must not be after" in backwards
    assert kept == ranged
    expected = api(
        server,
        token,
        STATS,
        contactKind="COMPANIES",
        userIds=[owner["id"]],
        createdFrom=warsaw_midnight(first),
    )["sourceStats"]
    assert restored == as_shown(expected)
    assert form == {"owners": [owner["id"]], "kind": "COMPANIES", "from": first.isoformat(), "to": ""}
    assert url == {"userIds": [owner["id"]], "contactKind": ["COMPANIES"], "from": [first.isoformat()]}
    assert foreign == []


def test_the_csv_download_is_the_export_of_the_same_filters(demo: tuple[Server, str]) -> None:
    server, token = demo
    owner = next(u for u in api(server, token, USERS)["users"] if u["role"] == "USER")
    first = date.today() - timedelta(days=500)
    with browser.offline_page(server.url, timezone_id=TIME_ZONE) as (page, foreign):
        # given: filters in the URL
        search = urlencode({"userIds": owner["id"], "contactKind": "PERSONS", "from": first.isoformat()})
        sign_in(page, server.url, token)
        page.goto(f"{server.url}/stats?{search}")
        page.wait_for_selector(READY)
        # when
        with page.expect_download() as started:
            page.get_by_role("button", name="Download CSV").click()
        download = started.value
        downloaded = Path(download.path()).read_bytes()
        name = download.suggested_filename
    # then
    direct = httpx.get(
        f"{server.url}/stats/sources.csv",
        params={"contactKind": "PERSONS", "userIds": owner["id"], "createdFrom": warsaw_midnight(first)},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert direct.status_code == 200
    assert downloaded == direct.content
    assert downloaded.startswith(b"source_id,source,count,")
    assert name.endswith(".csv")
    assert foreign == []


def test_the_page_is_in_polish_when_the_browser_prefers_polish(demo: tuple[Server, str]) -> None:
    server, token = demo
    languages: list[str] = []
    with browser.offline_page(server.url, locale="pl-PL", timezone_id=TIME_ZONE) as (page, foreign):
        page.on("request", lambda r: languages.append(r.headers.get("accept-language", "")))
        # given: the sign-in form, in Polish
        page.goto(f"{server.url}/stats")
        signin = page.locator("#signin").inner_text()
        # when
        sign_in(page, server.url, token, label="Token dostępu")
        headers = page.locator("#table thead").inner_text().split("\t")
        labels = [
            page.locator(f"label[for={control}]").inner_text()
            for control in ("contact-kind", "date-from", "date-to")
        ]
        rows = shown_rows(page)
        lang = page.evaluate("document.documentElement.lang")
        buttons = [page.get_by_role("button", name=n).count() for n in ("Pobierz CSV", "Zapomnij token")]
    # then
    assert languages
    assert all(header.startswith("pl") for header in languages)
    assert "Zaloguj się tokenem" in signin
    assert "Pokaż statystyki" in signin
    assert lang == "pl"
    assert [h.strip() for h in headers] == [
        "Źródło",
        "Kontakty",
        "Udział",
        "Osoby",
        "Firmy",
        "Transakcje",
        "Wartość transakcji",
        "Wygrane",
        "Skuteczność",
    ]
    assert labels == ["Kontakty", "Utworzone od", "Utworzone do (włącznie)"]
    assert buttons == [1, 1]
    assert rows == as_shown(api(server, token, STATS, contactKind="ALL")["sourceStats"], "pl")
    assert rows[-1][1] == "Brak źródła"
    assert any("," in row[3] for row in rows)  # 36,2% — a decimal comma
    assert foreign == []


def test_a_wrong_token_is_asked_for_again_and_forget_clears_it(demo: tuple[Server, str]) -> None:
    server, token = demo
    with browser.offline_page(server.url, timezone_id=TIME_ZONE) as (page, foreign):
        # when: a wrong token
        page.goto(f"{server.url}/stats")
        page.get_by_label("Access token", exact=True).fill("trb_not_a_real_token")
        page.get_by_role("button", name="Show statistics").click()
        message = page.locator("#token-message")
        message.wait_for(state="visible")
        refused = message.inner_text()
        after_refusal = browser.web_storage(page)
        # and: the right one, then "Forget token"
        page.get_by_label("Access token", exact=True).fill(token)
        page.get_by_role("button", name="Show statistics").click()
        page.wait_for_selector(READY)
        page.get_by_role("button", name="Forget token").click()
        page.locator("#token").wait_for(state="visible")
        forgotten = message.inner_text()
        after_forget = browser.web_storage(page)
        page.reload()
        page.locator("#token").wait_for(state="visible")
        table_after_reload = page.locator("#stats").is_visible()
    # then
    assert "not accepted" in refused
    assert after_refusal == {"localStorage": {}, "sessionStorage": {}}
    assert "forgotten" in forgotten
    assert after_forget == {"localStorage": {}, "sessionStorage": {}}
    assert table_after_reload is False
    assert foreign == []


def test_an_empty_account_with_sources_switched_off_says_so(
    demo: tuple[Server, str], module_database_url: str
) -> None:
    server, _ = demo
    # given: a second, new account beside the demo (sources are off by default)
    token = run_cli(
        module_database_url, "create-account", "Empty", "--admin-email", "eve@empty.example"
    ).strip()
    with browser.offline_page(server.url) as (page, foreign):
        # when
        sign_in(page, server.url, token)
        notice = page.locator("#sources-off").inner_text()
        empty = page.locator("#empty").inner_text()
        table_visible = page.locator("#table").is_visible()
    # then
    assert "switched off" in notice
    assert "no contacts in this account yet" in empty
    assert table_visible is False
    assert foreign == []


def test_the_page_works_with_the_keyboard_and_labels_every_control(demo: tuple[Server, str]) -> None:
    server, token = demo
    with browser.offline_page(server.url, timezone_id=TIME_ZONE) as (page, foreign):
        # given: the sign-in form has the focus
        page.goto(f"{server.url}/stats")
        page.locator("#token:focus").wait_for()
        # when: the token is typed and sent with Enter
        page.keyboard.type(token)
        page.keyboard.press("Enter")
        page.wait_for_selector(READY)
        # then: the focus moves to the first filter, and Tab walks the controls in reading order
        order = [page.evaluate("document.activeElement.id")]
        while order[-1] != "table-wrap" and len(order) < 30:
            page.keyboard.press("Tab")
            focused = page.evaluate("document.activeElement.id || document.activeElement.className")
            if order[-1] != focused:  # a date input takes one Tab per part
                order.append(focused)
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        unlabelled = page.evaluate(
            """() => Array.from(document.querySelectorAll('input, select, button, [tabindex]'))
                 .filter((e) => e.offsetParent !== null)
                 .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-labelledby')
                                && !e.textContent.trim())
                 .map((e) => e.outerHTML)"""
        )
        page.locator("#owner-0").focus()
        page.keyboard.press("Shift+Tab")
        before_filters = page.evaluate("document.activeElement.id")
        # when: the contact kind is changed with the arrow keys
        page.locator("#contact-kind").focus()
        page.keyboard.press("ArrowDown")
        page.wait_for_selector(READY)
        kind = query_of(page)
    owners = [f for f in order if f.startswith("owner-")]
    assert order[: len(owners)] == [f"owner-{i}" for i in range(len(owners))]
    assert len(owners) == len(api(server, token, USERS)["users"])
    rest = order[len(owners) :]
    assert rest == ["contact-kind", "date-from", "date-to", "attribution", "reset", "download", "table-wrap"]
    assert before_filters == "forget"
    assert outline == "solid"
    assert unlabelled == []
    assert kind == {"contactKind": ["PERSONS"]}
    assert foreign == []


def test_the_page_fits_a_narrow_window_and_screenshots_are_taken(
    demo: tuple[Server, str], tmp_path: Path
) -> None:
    server, token = demo
    folder = screenshot_folder(tmp_path)
    with browser.offline_page(server.url, timezone_id=TIME_ZONE) as (page, foreign):
        sign_in(page, server.url, token)
        page.evaluate("document.activeElement.blur()")
        page.screenshot(path=str(folder / "stats-wide.png"), full_page=True)
    with browser.offline_page(server.url, width=375, height=800, timezone_id=TIME_ZONE) as (page, narrow):
        sign_in(page, server.url, token)
        page.evaluate("document.activeElement.blur()")
        page.screenshot(path=str(folder / "stats-narrow.png"), full_page=True)
        widths = page.evaluate(
            """() => ({page: document.documentElement.scrollWidth,
                       chart: document.getElementById('bar-chart').getBoundingClientRect().right,
                       table: document.querySelector('.table-wrap').scrollWidth,
                       tableBox: document.querySelector('.table-wrap').clientWidth})"""
        )
    # then: nothing sticks out of the window; the table scrolls in its own box
    assert widths["page"] <= 375
    assert widths["chart"] <= 375
    assert widths["table"] > widths["tableBox"]
    assert foreign == narrow == []


# --- the parts that need the v2 statistics API -------------------------------------------------
# Written against the contract; each runs once `schema.graphql` (which a test keeps equal to the
# served schema) has the part it needs, so after those issues land they run and cannot skip.

SCHEMA = (Path(__file__).resolve().parent.parent / "schema.graphql").read_text(encoding="utf-8")


def _type_block(name: str) -> str:
    start = SCHEMA.find(f"type {name} ")
    return SCHEMA[start : SCHEMA.find("\n}", start)] if start >= 0 else ""


def _field_arguments(type_name: str, field: str) -> str:
    """The argument list of `field` in the SDL of `type_name` (empty when it has none)."""
    block = _type_block(type_name)
    start = block.find(f"  {field}(")
    return block[start : block.find("\n  )", start)] if start >= 0 else ""  # descriptions hold ")"


HAS_COLOR = "  color: String!" in _type_block("SourceStatsRow")
# sourceStats' own argument: sourceTrend takes `attribution` too, and comes with another issue
HAS_ATTRIBUTION = "enum Attribution " in SCHEMA and "attribution: Attribution" in _field_arguments(
    "Query", "sourceStats"
)
HAS_TREND = "sourceTrend(" in _type_block("Query")
needs_color = pytest.mark.skipif(
    not HAS_COLOR, reason="needs SourceStatsRow.color (Sources as a managed list)"
)
needs_attribution = pytest.mark.skipif(
    not (HAS_COLOR and HAS_ATTRIBUTION), reason="needs sourceStats(attribution:) (Attribution)"
)
# the page asks for the trend with `attribution` only while sourceStats takes it, so the trend
# needs no more than sourceTrend itself
needs_trend = pytest.mark.skipif(
    not (HAS_COLOR and HAS_TREND), reason="needs sourceTrend (Statistics over time)"
)


@needs_color
def test_bars_take_each_sources_colour_and_no_source_is_grey(demo: tuple[Server, str]) -> None:
    """Needs `SourceStatsRow.color` (issue "Sources as a managed list")."""
    server, token = demo
    rows = api(server, token, COLORS)["sourceStats"]
    with browser.offline_page(server.url, timezone_id=TIME_ZONE) as (page, foreign):
        sign_in(page, server.url, token)
        bars = page.evaluate(
            """() => Array.from(document.querySelectorAll('#bar-chart g.bar')).map((g) =>
                 [g.dataset.sourceId, g.querySelector('rect').getAttribute('fill'),
                  Number(g.querySelector('rect').dataset.count)])"""
        )
    assert bars == [[r["source"]["id"] if r["source"] else "", r["color"], r["count"]] for r in rows]
    assert rows[-1]["source"] is None  # "No source", in the server's grey
    assert bars[-1][1] == rows[-1]["color"]
    assert foreign == []


@needs_trend
def test_the_trend_shows_the_last_twelve_months_in_the_browsers_time_zone(demo: tuple[Server, str]) -> None:
    """Needs `sourceTrend` (issue "Statistics over time")."""
    server, token = demo
    today = datetime.now(ZoneInfo(TIME_ZONE)).date()
    months_back = today.year * 12 + today.month - 1 - 11  # this month and the eleven before it
    start = date(months_back // 12, months_back % 12 + 1, 1)
    end = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    periods = api(
        server,
        token,
        TREND,
        createdFrom=warsaw_midnight(start),
        createdTo=warsaw_midnight(end),
        timeZone=TIME_ZONE,
    )["sourceTrend"]
    with browser.offline_page(server.url, timezone_id=TIME_ZONE) as (page, foreign):
        sign_in(page, server.url, token)
        drawn = page.evaluate(
            """() => Array.from(document.querySelectorAll('#trend-chart g.period')).map((g) =>
                 [g.dataset.label, Array.from(g.querySelectorAll('rect')).map((r) =>
                    [r.dataset.sourceId, r.getAttribute('fill'), Number(r.dataset.count)])
                  .sort()])"""
        )
        visible = page.locator("#trend").is_visible()
    assert visible
    assert len(drawn) == 12
    expected = [
        [
            p["label"],
            sorted(
                [r["source"]["id"] if r["source"] else "", r["color"], r["count"]]
                for r in p["rows"]
                if r["count"] > 0
            ),
        ]
        for p in periods
    ]
    assert json.loads(json.dumps(drawn)) == expected
    assert foreign == []


@needs_attribution
def test_attribution_first_touch_updates_table_url_and_csv(demo: tuple[Server, str]) -> None:
    """Needs `attribution` on sourceStats (issue "Attribution") and on /stats/sources.csv."""
    server, token = demo
    with browser.offline_page(server.url, timezone_id=TIME_ZONE) as (page, foreign):
        sign_in(page, server.url, token)
        page.get_by_label("Attribution", exact=True).select_option("FIRST_TOUCH")
        page.wait_for_selector(READY)
        rows = shown_rows(page)
        url = query_of(page)
        with page.expect_download() as started:
            page.get_by_role("button", name="Download CSV").click()
        downloaded = Path(started.value.path()).read_bytes()
    expected = api(server, token, STATS_V2, contactKind="ALL", attribution="FIRST_TOUCH")["sourceStats"]
    assert rows == as_shown(expected)
    assert url == {"attribution": ["FIRST_TOUCH"]}
    direct = httpx.get(
        f"{server.url}/stats/sources.csv",
        params={"contactKind": "ALL", "attribution": "FIRST_TOUCH"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert downloaded == direct.content
    assert foreign == []
