"""`tributary seed` fills an existing account with believable data, through the real CLI."""

from __future__ import annotations

import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta

import httpx

from processes import TRIBUTARY, env_for, run_cli, serving

SUMMARY = """{
  users { id } sources { id usage { companies persons deals } }
  companies { totalCount } persons { totalCount }
  noSource: persons(filter: {withoutSource: true}) { totalCount }
  deals { totalCount }
  won: deals(filter: {status: WON}) { totalCount }
  lost: deals(filter: {status: LOST}) { totalCount }
  old: persons(filter: {createdTo: "%s"}) { totalCount }
  sourceStats { label count deals { count totalValue } }
  inherited: persons(filter: {origin: INHERITED}) { totalCount }
  chosen: persons(filter: {origin: CHOSEN}) { totalCount }
  firstTouch: sourceStats(attribution: FIRST_TOUCH) { label count deals { count } } }"""
HISTORIES = """query($after: String) { persons(first: 50, after: $after) {
  pageInfo { endCursor hasNextPage }
  edges { node { createdAt updatedAt sourceOrigin source { id } firstSource { id } firstSourceAt
    owner { id } sourceHistory { edges { node { at reason by { id } from { id } to { id } } } } } } } }"""


def sqlite_indexes(database_url: str) -> list[str]:
    if not database_url.startswith("sqlite://"):
        return []
    with sqlite3.connect(database_url.removeprefix("sqlite://")) as db:
        return [
            row[0] for row in db.execute("SELECT sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
        ]


def test_seed_fills_an_account_with_skewed_realistic_data(database_url: str) -> None:
    # given
    token = run_cli(database_url, "create-account", "Acme", "--admin-email", "boss@acme.example").strip()
    indexes_before = sqlite_indexes(database_url)
    # when
    done = subprocess.run(
        [*TRIBUTARY, "seed", "Acme", "--companies", "60", "--persons", "400", "--deals", "300",
         "--sources", "6", "--users", "4"],
        env=env_for(database_url), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    # then
    assert done.returncode == 0, done.stderr
    assert sqlite_indexes(database_url) == indexes_before  # dropped for the load, then rebuilt
    two_years_ago = (datetime.now(UTC) - timedelta(days=731)).isoformat()
    headers = {"Authorization": f"Bearer {token}"}
    persons: list[dict] = []
    with serving(database_url) as server:
        response = httpx.post(
            f"{server.url}/graphql", json={"query": SUMMARY % two_years_ago}, headers=headers, timeout=30
        )
        after = None
        while True:
            page = httpx.post(
                f"{server.url}/graphql",
                json={"query": HISTORIES, "variables": {"after": after}},
                headers=headers,
                timeout=30,
            ).json()["data"]["persons"]
            persons.extend(e["node"] for e in page["edges"])
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
    data = response.json()["data"]
    assert len(data["users"]) == 4
    assert len(data["sources"]) == 6
    assert (data["companies"]["totalCount"], data["persons"]["totalCount"], data["deals"]["totalCount"]) == (
        60, 400, 300,
    )  # fmt: skip
    assert 0 < data["noSource"]["totalCount"] < 200  # some records lack a source
    assert data["won"]["totalCount"] > 0
    assert data["lost"]["totalCount"] > 0
    assert data["old"]["totalCount"] == 0  # creation dates within the last two years
    usage = sorted((s["usage"]["persons"] for s in data["sources"]), reverse=True)
    assert usage[0] > 2 * usage[-1]  # skewed popularity
    rows = data["sourceStats"]
    assert sum(r["count"] for r in rows) == 460
    assert sum(r["deals"]["count"] for r in rows) == 300
    # attribution: both origins, first touches that differ, and a history that tells how
    assert data["inherited"]["totalCount"] > 0
    assert data["chosen"]["totalCount"] > 0
    first_touch = data["firstTouch"]
    assert sum(r["count"] for r in first_touch) == 460
    assert sum(r["deals"]["count"] for r in first_touch) == 300
    assert first_touch != [{**r, "deals": {"count": r["deals"]["count"]}} for r in rows]
    for person in persons:
        assert_history_tells_how(person)
    assert any(p["firstSource"] and p["source"] != p["firstSource"] for p in persons)


def assert_history_tells_how(person: dict) -> None:
    """Seeded persons read as if their changes had been made through the API."""
    entries = [e["node"] for e in person["sourceHistory"]["edges"]]
    if person["firstSource"] is None:
        assert (entries, person["source"], person["sourceOrigin"]) == ([], None, None)
        return
    created = entries[-1]
    assert created["at"] == person["createdAt"] == person["firstSourceAt"]
    assert created["to"] == person["firstSource"]
    assert created["by"] == person["owner"]
    if len(entries) == 1:
        assert person["source"] == person["firstSource"]
        assert created["reason"] == ("INHERITED" if person["sourceOrigin"] == "INHERITED" else "CREATED")
        return
    edited = entries[0]
    assert (len(entries), created["reason"], edited["reason"]) == (2, "CREATED", "EDITED")
    assert (edited["from"], edited["to"], edited["at"]) == (
        person["firstSource"], person["source"], person["updatedAt"],
    )  # fmt: skip
    assert person["sourceOrigin"] == (None if person["source"] is None else "CHOSEN")


def test_seeding_an_unknown_account_fails_cleanly(database_url: str) -> None:
    done = subprocess.run(
        [*TRIBUTARY, "seed", "Nobody", "--persons", "5"],
        env=env_for(database_url), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert "no account named 'Nobody'" in done.stderr
    assert "Traceback" not in done.stderr
