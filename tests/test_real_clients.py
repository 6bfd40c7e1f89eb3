"""Real JavaScript clients against Tributary, not imitations of them.

Relay's compiler checks the schema against what Relay needs (connections, refetchable fragments
through the Node interface), graphql-codegen and tsc check that the generated types are usable,
and Apollo Client's persisted-queries link talks to a real `tributary serve`. The clients live in
tests/clients/ with a lockfile; CI installs them with `npm ci --prefix tests/clients`. Without
Node.js these tests skip; with Node.js but without the packages they fail.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from processes import run_cli, serving

CLIENTS = Path(__file__).resolve().parent / "clients"
NODE_MODULES = CLIENTS / "node_modules"
RELAY_ARTIFACTS = CLIENTS / "relay" / "__generated__"
GENERATED = CLIENTS / "generated"

# What tests/clients/apollo-apq.mjs sends twice. Apollo adds __typename to every selection set
# before hashing and sending, so the answers carry it. Each test has its own document (so its own
# hash): a store that outlived a server would otherwise turn the first request into a hit.
APQ_QUERY = """query ApqProbe($first: Int!) {
  me { id name role }
  persons(first: $first) { totalCount }
}"""
APQ_QUERY_OVER_GET = """query ApqProbeOverGet($first: Int!) {
  me { id name role }
  persons(first: $first) { totalCount }
}"""
APQ_VARIABLES = {"first": 5}
ME = "{ me { id } }"


@dataclass
class Tributary:
    url: str
    token: str
    admin_id: str


def run(command: list[str | Path], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        cwd=CLIENTS,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )


def output(done: subprocess.CompletedProcess[str]) -> str:
    return f"exit {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"


@pytest.fixture(scope="module")
def node() -> str:
    """The node binary; the packages of tests/clients must be installed."""
    found = shutil.which("node")
    if found is None:
        pytest.skip("node is not on PATH: the real JS client tests need Node.js 20 or newer")
    if not (NODE_MODULES / ".package-lock.json").is_file():
        pytest.fail("tests/clients/node_modules is missing: run npm ci --prefix tests/clients")
    return found


def bin_of(name: str) -> Path:
    return NODE_MODULES / ".bin" / name


@pytest.fixture
def tributary(database_url: str) -> Iterator[Tributary]:
    token = run_cli(
        database_url, "create-account", "Apq", "--admin-email", "apq@example.com", "--admin-name", "Apq Admin"
    ).strip()
    with serving(database_url) as server:
        me = httpx.post(
            f"{server.url}/graphql",
            json={"query": ME},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        ).json()
        yield Tributary(server.url, token, me["data"]["me"]["id"])


def run_apollo(node: str, server: Tributary, query: str, *flags: str) -> dict[str, Any]:
    done = run(
        [
            node,
            "apollo-apq.mjs",
            *flags,
            "--url",
            server.url,
            "--token",
            server.token,
            "--query",
            query,
            "--variables",
            json.dumps(APQ_VARIABLES),
        ],
        timeout=60,
    )
    assert done.returncode == 0, output(done)
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def expected_probe_data(server: Tributary) -> dict[str, Any]:
    return {
        "me": {"__typename": "User", "id": server.admin_id, "name": "Apq Admin", "role": "ADMIN"},
        "persons": {"__typename": "PersonConnection", "totalCount": 0},
    }


def assert_miss_then_hits(report: dict[str, Any], server: Tributary, hashed_method: str) -> None:
    requests = report["requests"]
    steps = [(r["method"], r["sentQuery"]) for r in requests]
    # run 1: the hash alone, a miss, then the query with its hash; run 2: the hash alone, a hit
    assert steps == [(hashed_method, False), ("POST", True), (hashed_method, False)], json.dumps(requests)
    miss, register, hit = requests
    digest = register["sha256Hash"]
    assert digest == hashlib.sha256(register["query"].encode()).hexdigest()
    assert miss["sha256Hash"] == digest
    assert hit["sha256Hash"] == digest
    assert [error["extensions"]["code"] for error in miss["body"]["errors"]] == ["PERSISTED_QUERY_NOT_FOUND"]
    assert "data" not in miss["body"] or miss["body"]["data"] is None
    data = expected_probe_data(server)
    assert (register["status"], register["body"]) == (200, {"data": data})
    assert (hit["status"], hit["body"]) == (200, {"data": data})
    assert report["results"] == [data, data]


def test_relay_compiler_compiles_connection_and_refetchable_fragments(node: str) -> None:
    # given: relay.config.json reads ../../schema.graphql and the documents in relay/
    RELAY_ARTIFACTS.mkdir(exist_ok=True)
    # when
    compiled = run([node, bin_of("relay-compiler"), "--output", "quiet-with-errors"])
    validated = run([node, bin_of("relay-compiler"), "--validate", "--output", "quiet-with-errors"])
    # then: Relay accepted the schema, and a second run finds the artifacts up to date
    assert compiled.returncode == 0, output(compiled)
    assert validated.returncode == 0, output(validated)
    refetch = (RELAY_ARTIFACTS / "PersonCardRefetchQuery.graphql.ts").read_text()
    pagination = (RELAY_ARTIFACTS / "PersonListPaginationQuery.graphql.ts").read_text()
    backwards = (RELAY_ARTIFACTS / "PersonsPageDealsBackwardsQuery.graphql.ts").read_text()
    assert "node(id: $id)" in refetch
    assert "persons(first: $count, after: $cursor, filter: $filter)" in pagination
    assert "deals(last: $last, before: $before)" in backwards
    assert "hasPreviousPage" in backwards
    assert "startCursor" in backwards


def test_codegen_types_check_with_tsc(node: str) -> None:
    # given: codegen.ts reads ../../schema.graphql and operations/*.graphql
    # when
    generated = run([node, bin_of("graphql-codegen"), "--config", "codegen.ts"])
    checked = run([node, bin_of("tsc"), "--noEmit", "-p", "."])
    # then: check.ts, which uses the generated types (and expects errors where they must be), passes
    assert generated.returncode == 0, output(generated)
    assert checked.returncode == 0, output(checked)
    schema_types = (GENERATED / "schema.ts").read_text()
    operation_types = (GENERATED / "graphql.ts").read_text()
    assert "Decimal: { input: string; output: string; }" in schema_types
    assert "DateTime: { input: string; output: string; }" in schema_types
    assert "totalValue: string, averageValue: string | null" in operation_types
    assert "createdAt: string" in operation_types


def test_apollo_persisted_query_link_misses_then_hits(node: str, tributary: Tributary) -> None:
    # when: the same query twice, through createPersistedQueryLink and HttpLink
    report = run_apollo(node, tributary, APQ_QUERY)
    # then
    assert_miss_then_hits(report, tributary, hashed_method="POST")


def test_apollo_persisted_query_link_over_get_misses_then_hits(node: str, tributary: Tributary) -> None:
    # when: useGETForHashedQueries sends the hash-only requests as GET (the query itself goes as POST)
    report = run_apollo(node, tributary, APQ_QUERY_OVER_GET, "--get")
    # then
    assert_miss_then_hits(report, tributary, hashed_method="GET")
