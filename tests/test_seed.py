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
  sourceStats { label count deals { count totalValue } } }"""


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
    with serving(database_url) as server:
        response = httpx.post(
            f"{server.url}/graphql",
            json={"query": SUMMARY % two_years_ago},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
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


def test_seeding_an_unknown_account_fails_cleanly(database_url: str) -> None:
    done = subprocess.run(
        [*TRIBUTARY, "seed", "Nobody", "--persons", "5"],
        env=env_for(database_url), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert "no account named 'Nobody'" in done.stderr
    assert "Traceback" not in done.stderr
