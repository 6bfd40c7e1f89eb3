"""The time limit and writes: a client is never told a bare TIMEOUT about a write that was kept.

A request's budget stops a write of it only before it commits, and then nothing of it is
written (models/time_limit.py). Against a real `tributary serve` with a short request budget,
on a database where writing a source is made slow on purpose by a trigger the test installs:
in the write's statement (SQLite and PostgreSQL), or on PostgreSQL at COMMIT, where it finishes
even when the request's statement is cancelled, as a COMMIT already flushing does. SQLite's
COMMIT cannot be slowed from outside, so the tests of a commit outlasting the budget run on
PostgreSQL only.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, closing
from typing import Any

import asyncpg
import httpx
import pytest
from tortoise.connection import connections
from tortoise.context import TortoiseContext

from models.config import tortoise_config
from processes import Server, run_cli, serving
from tests.documents import ENABLE_SOURCES

TIME_LIMIT = 1.0  # seconds, for the server under test; a slow write takes several times as long
FILLER_ROWS = 12_000  # SQLite: a trigger joining this many rows to themselves takes seconds
SLOW_SECONDS = 4  # PostgreSQL: how long a slowed write sleeps
ONLY_POSTGRES = "SQLite's COMMIT cannot be slowed from outside (see the module's docstring)"


def slow_writes_sql(postgres: bool, event: str, *, at_commit: bool) -> list[str]:
    """Statements that make every `event` (INSERT, UPDATE) of a source take seconds. On SQLite in
    its statement; on PostgreSQL in its statement or, `at_commit`, at COMMIT, where it finishes
    even when the request's statement is cancelled (as a COMMIT already flushing does)."""
    if not postgres:
        return [
            "CREATE TABLE slow_filler (x INTEGER)",
            f"WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {FILLER_ROWS}) "
            "INSERT INTO slow_filler SELECT x FROM n",
            f"CREATE TRIGGER slow_source_write AFTER {event} ON source BEGIN "
            "SELECT count(*) FROM slow_filler a, slow_filler b WHERE a.x + b.x < 0; END",
        ]
    sleep = (
        f"BEGIN PERFORM pg_sleep({SLOW_SECONDS}); EXCEPTION WHEN query_canceled THEN NULL; END;"
        if at_commit
        else f"PERFORM pg_sleep({SLOW_SECONDS});"
    )
    when = "CONSTRAINT TRIGGER" if at_commit else "TRIGGER"
    deferred = "DEFERRABLE INITIALLY DEFERRED " if at_commit else ""
    trigger = (
        f"CREATE {when} slow_source_write AFTER {event} ON source {deferred}"
        "FOR EACH ROW EXECUTE FUNCTION slow_write()"
    )
    function = (
        "CREATE FUNCTION slow_write() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN {sleep} RETURN NULL; END $$"
    )
    return [function, trigger]


def undo_sql(postgres: bool) -> list[str]:
    if postgres:
        return ["DROP TRIGGER slow_source_write ON source", "DROP FUNCTION slow_write()"]
    return ["DROP TRIGGER slow_source_write", "DROP TABLE slow_filler"]


CREATE_SOURCE = "mutation($n: String!) { createSource(name: $n) { id name } }"
RENAME = "mutation($id: ID!, $n: String!) { updateSource(id: $id, input: {name: $n}) { id name } }"
RENAME_THEN_CREATE = """mutation($id: ID!, $n: String!, $late: String!) {
  renamed: updateSource(id: $id, input: {name: $n}) { name }
  created: createSource(name: $late) { name } }"""
NAMES = "{ sources { name } }"


async def run_sql(database_url: str, statements: list[str]) -> None:
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(database_url))
        for statement in statements:
            await connections.get("default").execute_script(statement)


@pytest.fixture
def token(database_url: str) -> str:
    return run_cli(database_url, "create-account", "Slow", "--admin-email", "slow@example.com").strip()


@pytest.fixture
def server(database_url: str, token: str) -> Iterator[Server]:
    with serving(database_url, env={"TRIBUTARY_REQUEST_TIMEOUT": str(TIME_LIMIT)}) as running:
        yield running


@pytest.fixture
async def client(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as c:
        yield c


@asynccontextmanager
async def slow(database_url: str, event: str, *, at_commit: bool = True) -> AsyncIterator[None]:
    """Inside the block, every `event` of a source takes seconds (`slow_writes_sql`)."""
    postgres = database_url.startswith("postgres")
    await run_sql(database_url, slow_writes_sql(postgres, event, at_commit=at_commit))
    try:
        yield
    finally:
        await run_sql(database_url, undo_sql(postgres))


async def send(client: httpx.AsyncClient, token: str, query: str, **variables: Any) -> dict[str, Any]:
    body = {"query": query, "variables": variables}
    response = await client.post("/graphql", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


@pytest.fixture
async def sources_on(client: httpx.AsyncClient, token: str) -> None:
    assert "errors" not in await send(client, token, ENABLE_SOURCES)


@pytest.fixture
async def webinar(client: httpx.AsyncClient, token: str, sources_on: None) -> str:
    """The id of a source named "Webinar", created before anything is slowed."""
    created = await send(client, token, CREATE_SOURCE, n="Webinar")
    source_id: str = created["data"]["createSource"]["id"]
    return source_id


async def names(client: httpx.AsyncClient, token: str) -> set[str]:
    return {s["name"] for s in (await send(client, token, NAMES))["data"]["sources"]}


async def timed(
    client: httpx.AsyncClient, token: str, query: str, **variables: Any
) -> tuple[dict[str, Any], float]:
    """The answer, and the seconds until it came."""
    started = time.monotonic()
    answer = await send(client, token, query, **variables)
    return answer, time.monotonic() - started


@pytest.fixture
async def slow_rename_commits(database_url: str, on_postgres: bool, webinar: str) -> AsyncIterator[None]:
    """For the test, renaming a source is slower at COMMIT than the budget (PostgreSQL only)."""
    if not on_postgres:
        pytest.skip(ONLY_POSTGRES)
    async with slow(database_url, "UPDATE"):
        yield


async def test_a_write_whose_commit_outlasts_the_time_limit_is_answered_with_what_it_wrote(
    client: httpx.AsyncClient, token: str, webinar: str, slow_rename_commits: None
) -> None:
    # given: a source (`webinar`), renaming sources slower at COMMIT than the budget (`slow_rename_commits`)
    # when: renaming it
    answer, took = await timed(client, token, RENAME, id=webinar, n="Web seminar")
    # then: the commit did outlast the budget, and the client is told what was written, as it was
    assert took > TIME_LIMIT
    assert "errors" not in answer, answer
    assert answer["data"]["updateSource"] == {"id": webinar, "name": "Web seminar"}
    assert await names(client, token) == {"Web seminar"}


async def test_a_later_write_of_a_document_is_not_begun_once_the_time_limit_has_passed(
    client: httpx.AsyncClient, token: str, webinar: str, slow_rename_commits: None
) -> None:
    # given: a source (`webinar`), renaming sources slower at COMMIT than the budget (`slow_rename_commits`)
    # when: one document renames it (kept, past the budget) and then creates another source
    answer = await send(client, token, RENAME_THEN_CREATE, id=webinar, n="Web seminar", late="Fair")
    # then: the creation is refused with TIMEOUT at its path, and nothing of it is written; the
    # rename before it was (createSource is non-null, so GraphQL nulls the whole `data`)
    (error,) = answer["errors"]
    assert error["path"] == ["created"], answer
    assert error["extensions"]["code"] == "TIMEOUT"
    assert answer["data"] is None
    assert await names(client, token) == {"Web seminar"}


async def test_a_write_slower_than_the_time_limit_before_its_commit_is_stopped_and_writes_nothing(
    client: httpx.AsyncClient, token: str, database_url: str, webinar: str
) -> None:
    # given: a source (`webinar`), then renaming sources made slower in the statement than the budget
    async with slow(database_url, "UPDATE", at_commit=False):
        # when: renaming it
        answer, took = await timed(client, token, RENAME, id=webinar, n="Web seminar")
    # then: TIMEOUT at the limit, not after the slow statement, and the source keeps its name
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == "TIMEOUT", answer
    assert error["message"] == f"the request took longer than {TIME_LIMIT:g} s and was stopped"
    assert took < SLOW_SECONDS
    assert await names(client, token) == {"Webinar"}


async def test_a_write_waiting_for_a_lock_past_the_time_limit_is_stopped_and_writes_nothing(
    client: httpx.AsyncClient, token: str, database_url: str, on_postgres: bool, webinar: str
) -> None:
    # given: another connection holds what the rename needs, the source's row (PostgreSQL) or
    # the database's write lock (SQLite), until half a second after the budget
    held_for = TIME_LIMIT + 0.5
    if on_postgres:
        holder = await asyncpg.connect(database_url)
        try:
            async with holder.transaction():
                await holder.execute("SELECT 1 FROM source WHERE id = $1::uuid FOR UPDATE", webinar)
                # when: renaming it
                rename = asyncio.ensure_future(timed(client, token, RENAME, id=webinar, n="Web seminar"))
                await asyncio.sleep(held_for)
            answer, took = await rename
        finally:
            await holder.close()
    else:
        with closing(sqlite3.connect(database_url.removeprefix("sqlite://"), isolation_level=None)) as holder:
            holder.execute("BEGIN IMMEDIATE")
            rename = asyncio.ensure_future(timed(client, token, RENAME, id=webinar, n="Web seminar"))
            await asyncio.sleep(held_for)
            holder.execute("ROLLBACK")
            answer, took = await rename
    # then: TIMEOUT (the lock was held past the limit), and the source still has its name: the
    # write did not happen once the lock was free either
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == "TIMEOUT", answer
    assert took < SLOW_SECONDS
    assert await names(client, token) == {"Webinar"}


async def test_a_write_under_way_at_the_deadline_is_stopped_and_the_answer_says_what_was_kept(
    client: httpx.AsyncClient, token: str, database_url: str, webinar: str
) -> None:
    # given: a source (`webinar`), then creating sources made slower in the statement than the
    # budget (where the budget stops it)
    async with slow(database_url, "INSERT", at_commit=False):
        # when: one document renames it (quickly, kept) and then creates another source
        answer = await send(client, token, RENAME_THEN_CREATE, id=webinar, n="Web seminar", late="Fair")
    # then: the creation is stopped; the answer is TIMEOUT and says that what was written before
    # was kept, and it was; the creation was not
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == "TIMEOUT", answer
    assert error["message"].endswith("what it had written was kept")
    assert await names(client, token) == {"Web seminar"}
