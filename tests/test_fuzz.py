"""Schemathesis generates GraphQL documents from schema.graphql against a real server.

Only what must never happen fails: a 5xx, an INTERNAL_SERVER_ERROR, or internals in the body.
Wrong answers to odd inputs are the other tests' business. Bounded: a few examples per field.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from processes import run_cli, serving

ROOT = Path(__file__).parent.parent
schema = schemathesis.graphql.from_path(ROOT / "schema.graphql")
LEAKS = ["Traceback", 'File "', "site-packages", "sqlite", "asyncpg", "tortoise", "SELECT "]


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A server of its own (module-wide), with sources switched on so assignments get exercised."""
    url = f"sqlite://{tmp_path_factory.mktemp('fuzz') / 'fuzz.sqlite3'}"
    token = run_cli(url, "create-account", "Fuzz", "--admin-email", "fuzz@example.com").strip()
    with serving(url) as server:
        headers = {"Authorization": f"Bearer {token}"}
        yield server.url, headers


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_generated_documents_never_break_the_server(
    case: schemathesis.Case, target: tuple[str, dict[str, str]]
) -> None:
    base_url, headers = target
    response = case.call(base_url=f"{base_url}/graphql", headers=headers)
    assert response.status_code < 500, response.text[:500]
    for leak in LEAKS:
        assert leak not in response.text, response.text[:500]
    if response.status_code == 200:
        for error in response.json().get("errors") or []:
            assert error["extensions"]["code"] != "INTERNAL_SERVER_ERROR", (case.body, error)
