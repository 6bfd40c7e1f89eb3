"""A real `tributary serve` under concurrent clients, and killed mid-write."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tortoise.connection import connections
from tortoise.context import TortoiseContext

from models.config import tortoise_config
from processes import Server, run_cli, serving

CREATE_PERSON = "mutation($i: CreatePersonInput!) { createPerson(input: $i) { id } }"
CREATE_SOURCE = "mutation($n: String!) { createSource(name: $n) { id } }"
PAGE = """query($after: String) {
  persons(first: 200, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } }"""


@pytest.fixture
def server(database_url: str) -> Iterator[Server]:
    # these tests race many requests of one token on purpose: lift the per-token bound
    with serving(database_url, env={"TRIBUTARY_MAX_IN_FLIGHT": "1000"}) as running:
        yield running


@pytest.fixture
def token(database_url: str) -> str:
    return run_cli(database_url, "create-account", "Load", "--admin-email", "load@example.com").strip()


async def call(client: httpx.AsyncClient, token: str, query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


async def test_concurrent_mutations_from_several_clients_lose_nothing(token: str, server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as admin:
        await call(admin, token, "mutation { updateSourceSettings(enabled: true) { enabled } }")
    clients = [httpx.AsyncClient(base_url=server.url, timeout=30) for _ in range(4)]
    try:
        bodies = await asyncio.gather(
            *(call(clients[i % 4], token, CREATE_PERSON, i={"firstName": f"P{i}"}) for i in range(60))
        )
        listed = await call(clients[0], token, "{ persons(first: 200) { totalCount edges { node { id } } } }")
    finally:
        for c in clients:
            await c.aclose()
    assert all(not codes(b) for b in bodies)
    created = {b["data"]["createPerson"]["id"] for b in bodies}
    assert len(created) == 60
    assert {e["node"]["id"] for e in listed["data"]["persons"]["edges"]} == created


async def test_racing_creates_of_one_name_give_one_source(token: str, server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        bodies = await asyncio.gather(*(call(client, token, CREATE_SOURCE, n="Fair") for _ in range(20)))
        listed = await call(client, token, "{ sources { name } }")
    outcomes = sorted(tuple(codes(b)) for b in bodies)
    assert outcomes == [()] + [("CONFLICT",)] * 19
    assert listed["data"]["sources"] == [{"name": "Fair"}]


async def dangling_sources(database_url: str) -> int:
    """Records pointing at a source that no longer exists (checked in SQL, under the API)."""
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(database_url))
        total = 0
        for table in ("company", "person", "deal"):
            rows = await connections.get("default").execute_query_dict(
                f'SELECT COUNT(*) AS n FROM "{table}" t WHERE t.source_id IS NOT NULL '
                "AND NOT EXISTS (SELECT 1 FROM source s WHERE s.id = t.source_id)"
            )
            total += rows[0]["n"]
        return total


async def test_deleting_a_source_while_others_assign_it_leaves_nothing_dangling(
    token: str, server: Server, database_url: str
) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        await call(client, token, "mutation { updateSourceSettings(enabled: true) { enabled } }")
        persons = [
            (await call(client, token, CREATE_PERSON, i={"firstName": f"P{i}"}))["data"]["createPerson"]["id"]
            for i in range(30)
        ]
        source = (await call(client, token, CREATE_SOURCE, n="Doomed"))["data"]["createSource"]["id"]
        assign = "mutation($id: ID!, $s: ID) { updatePerson(id: $id, input: {sourceId: $s}) { id } }"
        delete = "mutation($id: ID!) { deleteSource(id: $id, confirm: true) { deletedId } }"
        jobs = [call(client, token, assign, id=p, s=source) for p in persons]
        jobs.insert(15, call(client, token, delete, id=source))
        bodies = await asyncio.gather(*jobs)
    assert all(set(codes(b)) <= {"NOT_FOUND"} for b in bodies), [codes(b) for b in bodies]
    assert await dangling_sources(database_url) == 0


async def writer(url: str, token: str, acknowledged: list[str], enough: asyncio.Event) -> None:
    """Writes until the server goes away, keeping the id of every answered write."""
    async with httpx.AsyncClient(base_url=url, timeout=5) as client:
        for i in range(10_000):
            try:
                body = await call(client, token, CREATE_PERSON, i={"firstName": f"W{i}"})
            except (httpx.TransportError, AssertionError):
                return
            acknowledged.append(body["data"]["createPerson"]["id"])
            if len(acknowledged) >= 40:
                enough.set()


async def test_a_killed_server_keeps_every_acknowledged_write(token: str, database_url: str) -> None:
    # given: clients writing while the server is killed without warning
    acknowledged: list[str] = []
    enough = asyncio.Event()
    with serving(database_url) as first:
        writers = [asyncio.create_task(writer(first.url, token, acknowledged, enough)) for _ in range(3)]
        await asyncio.wait_for(enough.wait(), timeout=30)
        os.kill(first.process.pid, signal.SIGKILL)
        await asyncio.wait_for(asyncio.gather(*writers), timeout=30)
    # when: it restarts on the same database
    with serving(database_url) as second:
        async with httpx.AsyncClient(base_url=second.url, timeout=30) as client:
            seen: set[str] = set()
            after = None
            while True:
                page = (await call(client, token, PAGE, after=after))["data"]["persons"]
                seen |= {e["node"]["id"] for e in page["edges"]}
                if not page["pageInfo"]["hasNextPage"]:
                    break
                after = page["pageInfo"]["endCursor"]
    # then: every write that was answered is there, and the file is sound
    assert set(acknowledged) <= seen
    if database_url.startswith("sqlite://"):
        with sqlite3.connect(database_url.removeprefix("sqlite://")) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
