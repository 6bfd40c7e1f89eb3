"""GraphiQL in a real, offline Chromium: the page a person opens, against a real `tributary serve`.

Every request to another host is blocked and recorded; none may be attempted. Playwright's sync
API cannot run inside an event loop, so these are plain (non-async) tests.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from processes import Server, run_cli, serving
from tests import browser

pytestmark = pytest.mark.skipif(
    not browser.chromium_available() and not os.environ.get("CI"),
    reason="needs Debian's chromium and the playwright package (.ci/run installs both)",
)


@pytest.fixture
def served(database_url: str) -> Iterator[tuple[Server, str]]:
    token = run_cli(
        database_url,
        "create-account",
        "Browser",
        "--admin-email",
        "ada@browser.example",
        "--admin-name",
        "Ada",
    ).strip()
    with serving(database_url) as server:
        yield server, token


def test_graphiql_runs_a_query_offline_with_a_pasted_token(
    served: tuple[Server, str], tmp_path: Path
) -> None:
    server, token = served
    with browser.offline_page(server.url) as (page, foreign):
        # given: the page, loaded with no other host reachable
        browser.open_graphiql(page, f"{server.url}/graphql")
        # then: the header editor offers the template, and the docs load before any token
        assert json.loads(browser.graphiql_headers(page) or "") == {"Authorization": "Bearer "}
        page.get_by_role("button", name="Show Documentation Explorer").click()
        page.get_by_text("Query", exact=True).first.wait_for(timeout=browser.TIMEOUT_MS)
        # when: a person pastes the token and runs a query
        browser.set_graphiql_headers(page, json.dumps({"Authorization": f"Bearer {token}"}))
        browser.set_graphiql_query(page, "{ me { name } }")
        result = json.loads(browser.run_graphiql(page))
        page.screenshot(path=str(Path(os.environ.get("TRIBUTARY_SCREENSHOTS", tmp_path)) / "graphiql.png"))
        storage = browser.web_storage(page)
    # then
    assert result == {"data": {"me": {"name": "Ada"}}}
    assert foreign == []
    assert token not in json.dumps(storage)
    assert "Bearer" not in json.dumps(storage)


def test_graphiql_without_a_token_shows_the_unauthenticated_error(served: tuple[Server, str]) -> None:
    server, _ = served
    with browser.offline_page(server.url) as (page, foreign):
        browser.open_graphiql(page, f"{server.url}/graphql")
        browser.set_graphiql_query(page, "{ me { name } }")
        result = json.loads(browser.run_graphiql(page))
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert foreign == []
