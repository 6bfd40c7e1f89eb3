"""Fair use: one client cannot take the service from the others.

A document's cost is checked before it runs, a request's work stops when its time budget is spent
or its client hangs up (on SQLite the running statement is aborted, on PostgreSQL cancelled), and
one token has a bound on requests in flight. Against a real `tributary serve` on an account with
enough persons that a `search` scan takes a while.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from processes import Server, run_cli, serving

PERSONS = 120_000
TIME_LIMIT = 0.3  # seconds, for the server under test


def scans(n: int, needle: str = "zq") -> str:
    """n aliased `search` scans with totalCount: several seconds of work on PERSONS persons.

    A one-letter needle ("e") can use no trigram index on PostgreSQL: it reads every row there too.
    """
    needles = [f"{needle}{i}" if len(needle) > 1 else needle for i in range(n)]
    fields = " ".join(
        f'a{i}: persons(first: 1, filter: {{search: "{text}"}}) {{ totalCount }}'
        for i, text in enumerate(needles)
    )
    return "{ " + fields + " }"


# within the cost limit, and a read of every row on both backends (no trigram index serves "e")
HEAVY = scans(24, needle="e")
TOO_COSTLY = scans(30)  # the attack of the security review
CHEAP = "{ me { id } }"


@dataclass
class Accounts:
    heavy: str  # the token of an account with PERSONS persons
    other: str  # the token of another, small account


@pytest.fixture(scope="module")
def accounts(module_database_url: str) -> Accounts:
    heavy = run_cli(module_database_url, "create-account", "Heavy", "--admin-email", "h@heavy.example")
    other = run_cli(module_database_url, "create-account", "Other", "--admin-email", "o@other.example")
    run_cli(module_database_url, "seed", "Heavy", "--persons", str(PERSONS), "--users", "2", timeout=300)
    return Accounts(heavy.strip(), other.strip())


@pytest.fixture(scope="module")
def server(module_database_url: str, accounts: Accounts) -> Iterator[Server]:
    env = {"TRIBUTARY_REQUEST_TIMEOUT": str(TIME_LIMIT), "TRIBUTARY_MAX_IN_FLIGHT": "3"}
    with serving(module_database_url, env=env) as running:
        yield running


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def post(client: httpx.AsyncClient, token: str, query: str) -> httpx.Response:
    return await client.post("/graphql", json={"query": query}, headers=bearer(token))


def code(response: httpx.Response) -> str | None:
    errors = response.json().get("errors") or [{}]
    found: str | None = errors[0].get("extensions", {}).get("code")
    return found


async def test_a_document_over_the_cost_limit_is_refused_before_any_work(
    server: Server, accounts: Accounts
) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        response = await post(client, accounts.heavy, TOO_COSTLY)
    # then: refused at validation (a scan that ran would have hit the time limit: TIMEOUT)
    assert response.json()["data"] is None
    assert code(response) == "BAD_USER_INPUT"
    assert "more than the 10000 allowed" in response.json()["errors"][0]["message"]


async def test_work_past_the_time_limit_is_stopped_and_answers_timeout(
    server: Server, accounts: Accounts
) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        # when
        started = time.monotonic()
        stopped = await post(client, accounts.heavy, HEAVY)
        took = time.monotonic() - started
        after = await post(client, accounts.other, CHEAP)
    # then: stopped at the limit (the work itself takes seconds), and the database is free again
    assert stopped.status_code == 200
    assert stopped.json()["data"] is None
    assert code(stopped) == "TIMEOUT"
    assert took < TIME_LIMIT + 5  # the work itself takes far longer (generous: CI machines are busy)
    assert after.json()["data"]["me"]["id"]


async def test_requests_beyond_the_in_flight_bound_get_429_and_others_are_served(
    module_database_url: str, accounts: Accounts
) -> None:
    # given: a server that lets three requests of one token run, each for up to 2 s
    env = {"TRIBUTARY_REQUEST_TIMEOUT": "2", "TRIBUTARY_MAX_IN_FLIGHT": "3"}
    with serving(module_database_url, env=env) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            # when: eight heavy requests of that token at once, and another account
            burst = [post(client, accounts.heavy, HEAVY) for _ in range(8)]
            answers = await asyncio.gather(*burst, post(client, accounts.other, CHEAP))
    # then
    refused = [a for a in answers[:-1] if a.status_code == 429]
    assert len(refused) == 5
    assert all(code(a) == "TOO_MANY_REQUESTS" and a.headers["retry-after"] == "1" for a in refused)
    # the three let through ran: to their end, or until their budget was spent
    assert {code(a) for a in answers[:-1] if a.status_code != 429} <= {"TIMEOUT", None}
    assert answers[-1].json()["data"]["me"]["id"]


def test_a_client_that_hangs_up_stops_its_work(module_database_url: str, accounts: Accounts) -> None:
    # given: a server with time to spare, so only the hang-up can stop the work
    with serving(module_database_url, env={"TRIBUTARY_REQUEST_TIMEOUT": "120"}) as server:
        started = time.monotonic()
        full = httpx.post(
            f"{server.url}/graphql",
            json={"query": scans(3, needle="e")},
            headers=bearer(accounts.heavy),
            timeout=60,
        )
        one_scan = (time.monotonic() - started) / 3
        assert full.json()["data"]["a0"]["totalCount"] > 0
        # when: a client gives up on several seconds of work after a moment
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(
                f"{server.url}/graphql", json={"query": HEAVY}, headers=bearer(accounts.heavy), timeout=0.3
            )
        started = time.monotonic()
        after = httpx.post(
            f"{server.url}/graphql", json={"query": CHEAP}, headers=bearer(accounts.other), timeout=60
        )
        waited = time.monotonic() - started
    # then: the next request did not wait for the abandoned work (24 scans) to finish
    assert after.json()["data"]["me"]["id"]
    assert waited < 24 * one_scan / 2, (waited, one_scan)


async def test_another_account_is_served_while_one_accounts_heavy_reads_run(
    module_database_url: str, accounts: Accounts
) -> None:
    # given: a server with time to spare, busy with heavy reads of one account
    with serving(module_database_url, env={"TRIBUTARY_REQUEST_TIMEOUT": "120"}) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=120) as client:
            heavy = [asyncio.create_task(post(client, accounts.heavy, HEAVY)) for _ in range(4)]
            await asyncio.sleep(0.3)
            # when: another account asks for something cheap
            cheap = await post(client, accounts.other, "{ sources { id } users { id } }")
            # then: it is answered while the heavy reads are still running (two at a time, the
            # account's turn: the two waiting their turn cannot have finished)
            still_running = sum(not task.done() for task in heavy)
            for task in heavy:
                task.cancel()
            await asyncio.gather(*heavy, return_exceptions=True)
    assert cheap.json()["data"]["users"]
    assert still_running >= 2


ENABLE_SOURCES = "mutation { updateSourceSettings(enabled: true) { enabled } }"
SOURCES_IN_USE = "{ sources { id usage { persons } } }"
MERGE = """mutation($ids: [ID!]!, $into: ID!) {
  mergeSources(ids: $ids, into: $into, confirm: true) { moved { persons } } }"""
# the same merge after another field: not a document of one bulk move
MERGE_AFTER_ANOTHER = """mutation($ids: [ID!]!, $into: ID!) {
  updateSourceSettings(enabled: true) { enabled }
  mergeSources(ids: $ids, into: $into, confirm: true) { moved { persons } } }"""


async def test_a_document_of_one_bulk_move_has_the_bulk_time_budget_instead_of_the_requests(
    module_database_url: str, accounts: Accounts, server: Server
) -> None:
    # given: merging the three most-used sources moves most of PERSONS persons, which takes far
    # longer than the 0.3 s request budget of `server`; reads go to a server with time to spare
    strict = {"TRIBUTARY_REQUEST_TIMEOUT": str(TIME_LIMIT), "TRIBUTARY_BULK_TIMEOUT": str(TIME_LIMIT)}
    with (
        serving(module_database_url, env={"TRIBUTARY_REQUEST_TIMEOUT": "120"}) as patient,
        serving(module_database_url, env=strict) as limited,
    ):
        async with httpx.AsyncClient(timeout=120) as client:

            async def send(at: Server, query: str, **variables: object) -> httpx.Response:
                body = {"query": query, "variables": variables}
                return await client.post(f"{at.url}/graphql", json=body, headers=bearer(accounts.heavy))

            async def sources() -> dict[str, int]:
                answer = (await send(patient, SOURCES_IN_USE)).json()
                return {s["id"]: s["usage"]["persons"] for s in answer["data"]["sources"]}

            assert (await send(patient, ENABLE_SOURCES)).json()["data"]["updateSourceSettings"]["enabled"]
            before = await sources()
            *merged, into = sorted(before, key=before.__getitem__, reverse=True)[:4]
            # when: the bulk budget is no longer than the request's
            short_bulk = await send(limited, MERGE, ids=merged, into=into)
            # when: the merge is not the document's only field
            not_alone = await send(server, MERGE_AFTER_ANOTHER, ids=merged, into=into)
            unchanged = await sources()
            # when: a document of the one merge, with the default bulk budget
            done = await send(server, MERGE, ids=merged, into=into)
            after = await sources()
    # then: the first two are stopped with TIMEOUT and move nothing; the third completes
    assert code(short_bulk) == "TIMEOUT", short_bulk.json()
    assert f"longer than {TIME_LIMIT:g} s" in short_bulk.json()["errors"][0]["message"]
    assert code(not_alone) == "TIMEOUT", not_alone.json()
    assert unchanged == before
    assert code(done) is None, done.json()
    assert done.json()["data"]["mergeSources"]["moved"]["persons"] == sum(before[i] for i in merged)
    assert set(after) == set(before) - set(merged)
    assert after[into] == before[into] + sum(before[i] for i in merged)


async def post_merge(client: httpx.AsyncClient, token: str, variables: dict[str, object]) -> httpx.Response:
    return await client.post("/graphql", json={"query": MERGE, "variables": variables}, headers=bearer(token))


async def test_another_account_is_served_while_one_account_merges_a_large_source(
    module_database_url: str, accounts: Accounts
) -> None:
    # given: an account whose token was never used (so this request also writes its first use),
    # and a merge of every source of the heavy account into its least used one: seconds of work
    bystander = run_cli(module_database_url, "create-account", "Bystander", "--admin-email", "b@by.example")
    with serving(module_database_url, env={"TRIBUTARY_REQUEST_TIMEOUT": "120"}) as patient:
        async with httpx.AsyncClient(base_url=patient.url, timeout=120) as client:
            assert (await post(client, accounts.heavy, ENABLE_SOURCES)).status_code == 200
            usage = (await post(client, accounts.heavy, SOURCES_IN_USE)).json()["data"]["sources"]
            *merged, into = sorted(usage, key=lambda s: s["usage"]["persons"], reverse=True)
            variables = {"ids": [s["id"] for s in merged], "into": into["id"]}
            merge = asyncio.create_task(post_merge(client, accounts.heavy, variables))
            await asyncio.sleep(0.3)
            # when: the other account reads while the merge runs
            asked = time.monotonic()
            cheap = await post(client, bystander.strip(), "{ sources { id } users { id } }")
            answered = time.monotonic()
            merged_answer = (await merge).json()
            merge_done = time.monotonic()
    # then: it was answered in less time than the merge still ran afterwards (without its own
    # connection it waits for the merge's commit), and the merge completed
    assert cheap.json()["data"]["users"], cheap.json()
    assert answered - asked < merge_done - answered, (answered - asked, merge_done - answered)
    moved = merged_answer["data"]["mergeSources"]["moved"]["persons"]
    assert moved == sum(s["usage"]["persons"] for s in merged)
