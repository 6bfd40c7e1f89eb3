"""Racing writes against a real server: two workers on PostgreSQL, one process on SQLite.

Each race runs a bounded number of rounds; every answer must be a contract answer (never
INTERNAL_SERVER_ERROR), and the database must end in a state one order of the racing calls
explains.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import connections
from tortoise.context import TortoiseContext
from tortoise.transactions import in_transaction

from models.config import tortoise_config
from processes import Server, run_cli, serving
from tests.test_concurrency import call, codes, dangling_sources

ROUNDS = 6
ENABLE = "mutation { updateSourceSettings(enabled: true) { enabled } }"
DISABLE = "mutation { updateSourceSettings(enabled: false) { enabled } }"
CREATE_SOURCE = "mutation($n: String!) { createSource(name: $n) { id position } }"
CREATE_PERSON = "mutation($i: CreatePersonInput!) { createPerson(input: $i) { id } }"
CREATE_COMPANY = "mutation($i: CreateCompanyInput!) { createCompany(input: $i) { id } }"
CREATE_DEAL = "mutation($i: CreateDealInput!) { createDeal(input: $i) { id } }"
DELETE = """mutation($id: ID!, $r: ID) {
  deleteSource(id: $id, confirm: true, replaceWith: $r) { detached { companies persons deals } } }"""
MERGE = """mutation($ids: [ID!]!, $into: ID!) {
  mergeSources(ids: $ids, into: $into, confirm: true) { moved { companies persons deals } } }"""
USAGE = "query($id: ID!) { source(id: $id) { usage { companies persons deals } } }"


@pytest.fixture
def server(database_url: str, on_postgres: bool) -> Iterator[Server]:
    # races send many requests of one token at once on purpose: lift the per-token bound
    workers = ("--workers", "2") if on_postgres else ()
    with serving(database_url, *workers, env={"TRIBUTARY_MAX_IN_FLIGHT": "1000"}) as running:
        yield running


@pytest.fixture
def token(database_url: str) -> str:
    return run_cli(database_url, "create-account", "Race", "--admin-email", "race@example.com").strip()


@asynccontextmanager
async def clients(server: Server, n: int = 2) -> AsyncIterator[list[httpx.AsyncClient]]:
    """`n` clients, each with its own connections (so their requests can reach different workers)."""
    opened = [httpx.AsyncClient(base_url=server.url, timeout=60) for _ in range(n)]
    try:
        yield opened
    finally:
        for client in opened:
            await client.aclose()


@asynccontextmanager
async def database(database_url: str) -> AsyncIterator[BaseDBAsyncClient]:
    """A connection of the test's own, to read what the server stored."""
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(database_url))
        yield connections.get("default")


def data(body: dict[str, Any], field: str) -> Any:
    assert not body.get("errors"), body["errors"]
    return body["data"][field]


async def new_sources(client: httpx.AsyncClient, token: str, *names: str) -> list[str]:
    """The ids of new sources named `names`."""
    return [data(await call(client, token, CREATE_SOURCE, n=name), "createSource")["id"] for name in names]


def usage(c: int, p: int, d: int) -> dict[str, int]:
    return {"companies": c, "persons": p, "deals": d}


async def source_with_records(client: httpx.AsyncClient, token: str, name: str, n: int) -> str:
    """A new source with `n` persons, one company and one deal on it."""
    (source,) = await new_sources(client, token, name)
    for i in range(n):
        await call(client, token, CREATE_PERSON, i={"firstName": f"{name} {i}", "sourceId": source})
    await call(client, token, CREATE_COMPANY, i={"name": f"{name} Ltd", "sourceId": source})
    await call(client, token, CREATE_DEAL, i={"title": f"{name} deal", "sourceId": source})
    return source


async def test_swapping_replacements_never_deadlock(token: str, server: Server, database_url: str) -> None:
    async with clients(server) as (first, second):
        await call(first, token, ENABLE)
        for round_ in range(ROUNDS):
            # given
            x = await source_with_records(first, token, f"X{round_}", 2)
            y = await source_with_records(first, token, f"Y{round_}", 3)
            # when: X → Y and Y → X at once
            x_to_y, y_to_x = await asyncio.gather(
                call(first, token, DELETE, id=x, r=y), call(second, token, DELETE, id=y, r=x)
            )
            # then: exactly one wins; the other finds its replacement gone
            outcomes = sorted((codes(x_to_y), codes(y_to_x)))
            assert outcomes == [[], ["NOT_FOUND"]], (x_to_y, y_to_x)
            winner, survivor, moved = (x_to_y, y, 2) if not codes(x_to_y) else (y_to_x, x, 3)
            assert data(winner, "deleteSource")["detached"] == usage(1, moved, 1)
            assert data(await call(first, token, USAGE, id=survivor), "source")["usage"] == usage(2, 5, 2)
    assert await dangling_sources(database_url) == 0


async def test_a_replacement_deleted_meanwhile_is_never_lost_or_miscounted(
    token: str, server: Server, database_url: str
) -> None:
    async with clients(server) as (first, second):
        await call(first, token, ENABLE)
        for round_ in range(ROUNDS):
            # given
            x = await source_with_records(first, token, f"X{round_}", 2)
            y = await source_with_records(first, token, f"Y{round_}", 3)
            # when: X → Y while Y is deleted
            x_to_y, delete_y = await asyncio.gather(
                call(first, token, DELETE, id=x, r=y), call(second, token, DELETE, id=y, r=None)
            )
            # then: deleting Y always works; X → Y either ran first (and Y's delete took X's
            # records too) or found Y gone and left X as it was
            assert not codes(delete_y), delete_y
            if codes(x_to_y):
                assert x_to_y["errors"][0]["extensions"] == {"code": "NOT_FOUND", "field": "replaceWith"}
                assert data(delete_y, "deleteSource")["detached"] == usage(1, 3, 1)
                assert data(await call(first, token, USAGE, id=x), "source")["usage"] == usage(1, 2, 1)
            else:
                assert data(x_to_y, "deleteSource")["detached"] == usage(1, 2, 1)
                assert data(delete_y, "deleteSource")["detached"] == usage(2, 5, 2)
                assert data(await call(first, token, USAGE, id=x), "source") is None
    assert await dangling_sources(database_url) == 0


async def test_swapping_merges_never_deadlock(token: str, server: Server, database_url: str) -> None:
    async with clients(server) as (first, second):
        await call(first, token, ENABLE)
        for round_ in range(ROUNDS):
            a = await source_with_records(first, token, f"A{round_}", 1)
            b = await source_with_records(first, token, f"B{round_}", 2)
            c = await source_with_records(first, token, f"C{round_}", 1)
            a_b_into_c, c_into_a = await asyncio.gather(
                call(first, token, MERGE, ids=[a, b], into=c), call(second, token, MERGE, ids=[c], into=a)
            )
            # then: one wins, the other finds its `into` gone
            assert sorted((codes(a_b_into_c), codes(c_into_a))) == [[], ["NOT_FOUND"]]
            loser = c_into_a if codes(c_into_a) else a_b_into_c
            assert loser["errors"][0]["extensions"] == {"code": "NOT_FOUND", "field": "into"}
            if not codes(a_b_into_c):
                assert data(await call(first, token, USAGE, id=c), "source")["usage"] == usage(3, 4, 3)
            else:
                assert data(await call(first, token, USAGE, id=a), "source")["usage"] == usage(2, 2, 2)
                assert data(await call(first, token, USAGE, id=b), "source")["usage"] == usage(1, 2, 1)
    assert await dangling_sources(database_url) == 0


async def test_racing_creates_append_distinct_positions(token: str, server: Server) -> None:
    async with clients(server, 4) as many:
        bodies = await asyncio.gather(
            *(call(many[i % 4], token, CREATE_SOURCE, n=f"Source {i}") for i in range(24))
        )
        listed = await call(many[0], token, "{ sources { name position } }")
    assert all(not codes(b) for b in bodies)
    assert sorted(data(b, "createSource")["position"] for b in bodies) == list(range(24))
    assert [s["position"] for s in data(listed, "sources")] == list(range(24))


async def test_assigning_a_source_while_it_is_merged_away_leaves_nothing_behind(
    token: str, server: Server, database_url: str
) -> None:
    async with clients(server, 3) as many:
        await call(many[0], token, ENABLE)
        people = [
            data(await call(many[0], token, CREATE_PERSON, i={"firstName": f"P{i}"}), "createPerson")["id"]
            for i in range(20)
        ]
        doomed, into = await new_sources(many[0], token, "Doomed", "Into")
        assign = "mutation($id: ID!, $s: ID) { updatePerson(id: $id, input: {sourceId: $s}) { id } }"
        jobs = [call(many[i % 2], token, assign, id=p, s=doomed) for i, p in enumerate(people)]
        jobs.insert(8, call(many[2], token, MERGE, ids=[doomed], into=into))
        bodies = await asyncio.gather(*jobs)
        merged = bodies.pop(8)
        assigned = sum(1 for b in bodies if not codes(b))
        usage_after = data(await call(many[0], token, USAGE, id=into), "source")["usage"]
    # then: every assignment either ran before the merge (and moved with it) or found the source gone
    assert all(codes(b) in ([], ["NOT_FOUND"]) for b in bodies), [codes(b) for b in bodies]
    assert data(merged, "mergeSources")["moved"]["persons"] == assigned
    assert usage_after == usage(0, assigned, 0)
    assert await dangling_sources(database_url) == 0


async def test_no_source_is_stored_after_the_switch_off_answered(
    token: str, server: Server, database_url: str
) -> None:
    async with clients(server, 4) as many, database(database_url) as db:

        async def stored(prefix: str) -> int:
            """Persons of this round stored with a source, as the database has them now."""
            sql = "SELECT COUNT(*) AS n FROM person WHERE source_id IS NOT NULL AND first_name LIKE '{}%'"
            return int((await db.execute_query_dict(sql.format(prefix)))[0]["n"])

        async def switch_off(after: float, prefix: str) -> int:
            await asyncio.sleep(after)  # let creates get in flight first
            body = await call(many[3], token, DISABLE)
            assert data(body, "updateSourceSettings") == {"enabled": False}
            return await stored(prefix)

        await call(many[0], token, ENABLE)
        source = data(await call(many[0], token, CREATE_SOURCE, n="Website"), "createSource")["id"]
        for round_ in range(ROUNDS):
            # given: sources on, and a burst of creates with a source
            await call(many[0], token, ENABLE)
            prefix = f"R{round_}-"
            creates = [
                call(many[i % 3], token, CREATE_PERSON, i={"firstName": f"{prefix}{i}", "sourceId": source})
                for i in range(100)
            ]
            # when: sources are switched off in the middle of it
            stored_when_answered, *bodies = await asyncio.gather(switch_off(0.01 * round_, prefix), *creates)
            # then: nothing with a source was stored after the switch-off answered
            assert all(codes(b) in ([], ["SOURCES_DISABLED"]) for b in bodies), [codes(b) for b in bodies]
            assert await stored(prefix) == stored_when_answered
            assert stored_when_answered == sum(1 for b in bodies if not codes(b))


HISTORY = """query($id: ID!) { person(id: $id) { source { name } firstSource { name }
  sourceHistory(first: 50) { edges { node { reason fromName toName } } } } }"""
EDIT = "mutation($id: ID!, $s: ID) { updatePerson(id: $id, input: {sourceId: $s}) { id } }"


async def test_edits_racing_a_merge_leave_histories_that_tell_one_story(
    token: str, server: Server, database_url: str
) -> None:
    async with clients(server, 3) as many:
        await call(many[0], token, ENABLE)
        for round_ in range(ROUNDS // 2):
            # given: persons on X
            x, y, z = await new_sources(many[0], token, *(f"{n}{round_}" for n in "XYZ"))
            people = [
                data(await call(many[0], token, CREATE_PERSON, i={"firstName": f"P{i}", "sourceId": x}),
                     "createPerson")["id"]
                for i in range(12)
            ]  # fmt: skip
            # when: each is edited (to Y, cleared, to Z, again to Y) while X is merged into Z
            targets = [y, None, z]
            jobs = [call(many[i % 2], token, EDIT, id=p, s=targets[i % 3]) for i, p in enumerate(people)]
            jobs += [call(many[i % 2], token, EDIT, id=p, s=y) for i, p in enumerate(people[::4])]
            jobs.insert(6, call(many[2], token, MERGE, ids=[x], into=z))
            bodies = await asyncio.gather(*jobs)
            merged = data(bodies.pop(6), "mergeSources")["moved"]["persons"]
            assert all(not codes(b) for b in bodies), [b["errors"] for b in bodies if codes(b)]
            # then: every history is one chain of changes ending at the person's source, in
            # which the merge appears exactly for the persons it moved
            merges = 0
            for person_id in people:
                person = data(await call(many[0], token, HISTORY, id=person_id), "person")
                chain = [e["node"] for e in reversed(person["sourceHistory"]["edges"])]
                assert chain[0] == {"reason": "CREATED", "fromName": None, "toName": f"X{round_}"}
                for before, after in itertools.pairwise(chain):
                    assert after["fromName"] == before["toName"], chain
                    assert after["fromName"] != after["toName"], chain
                assert chain[-1]["toName"] == (person["source"] and person["source"]["name"]), chain
                assert person["firstSource"] == {"name": f"Z{round_}"}
                merges += sum(e["reason"] == "MERGED" for e in chain)
            assert merges == merged
    assert await dangling_sources(database_url) == 0


@pytest.fixture
def writes_can_wait_for_each_other(on_postgres: bool) -> None:
    """PostgreSQL only: SQLite runs one write at a time, so an edit and a merge never wait for each other."""
    if not on_postgres:
        pytest.skip("SQLite runs one write at a time: an edit and a merge cannot wait for each other")


async def waiting_for_locks(database_url: str, n: int) -> None:
    """Returns once `n` of the database's sessions wait for a lock (fails after 10 s)."""
    async with database(database_url) as db:
        for _ in range(200):
            rows = await db.execute_query_dict(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            if rows[0]["n"] >= n:
                return
            await asyncio.sleep(0.05)
    raise AssertionError(f"{n} sessions never waited for a lock")


@pytest.mark.usefixtures("writes_can_wait_for_each_other")
async def test_an_edit_of_a_person_whose_first_source_is_merged_meanwhile_does_not_deadlock(
    token: str, server: Server, database_url: str
) -> None:
    async with clients(server, 2) as (one, two):
        await call(one, token, ENABLE)
        x, y, z = await new_sources(one, token, "X", "Y", "Z")
        # given: a person created on X and moved to Y (its first source stays X), a company on X
        created = await call(one, token, CREATE_PERSON, i={"firstName": "P", "sourceId": x})
        person = data(created, "createPerson")
        data(await call(one, token, EDIT, id=person["id"], s=y), "updatePerson")
        company = data(await call(one, token, CREATE_COMPANY, i={"name": "C", "sourceId": x}),
                       "createCompany")  # fmt: skip
        async with database(database_url), in_transaction() as blocker:
            # the company held, so the merge stops after locking its sources, before the persons
            await blocker.execute_query(
                "SELECT 1 FROM company WHERE id = $1::uuid FOR UPDATE", [company["id"]]
            )
            merge = asyncio.create_task(call(one, token, MERGE, ids=[x], into=z))
            await waiting_for_locks(database_url, 1)
            # when: the person's source is cleared meanwhile (a second write of its row: the move,
            # then updatedAt), and the merge goes on to the persons
            edit = asyncio.create_task(call(two, token, EDIT, id=person["id"], s=None))
            await waiting_for_locks(database_url, 2)
        merged, edited = await asyncio.gather(merge, edit)
        # then: both answer, one after the other (the edit sees the merge's first source)
        assert data(merged, "mergeSources")["moved"] == usage(1, 0, 0)
        assert data(edited, "updatePerson")["id"] == person["id"]
        after = data(await call(one, token, HISTORY, id=person["id"]), "person")
        assert after["source"] is None
        assert after["firstSource"] == {"name": "Z"}
        reasons = [e["node"]["reason"] for e in reversed(after["sourceHistory"]["edges"])]
        assert reasons == ["CREATED", "EDITED", "EDITED"]


REHOME = "mutation($id: ID!, $c: ID) { updatePerson(id: $id, input: {companyId: $c}) { id } }"


@pytest.mark.usefixtures("writes_can_wait_for_each_other")
async def test_a_persons_company_changed_while_their_source_is_merged_does_not_deadlock(
    token: str, server: Server, database_url: str
) -> None:
    async with clients(server, 2) as (one, two):
        await call(one, token, ENABLE)
        x, z = await new_sources(one, token, "X", "Z")
        # given: a company and two persons on X
        company = data(await call(one, token, CREATE_COMPANY, i={"name": "C", "sourceId": x}),
                       "createCompany")  # fmt: skip
        created = [await call(one, token, CREATE_PERSON, i={"firstName": f"P{i}", "sourceId": x})
                   for i in range(2)]  # fmt: skip
        persons = sorted((data(body, "createPerson")["id"] for body in created), key=uuid.UUID)
        async with database(database_url), in_transaction() as blocker:
            # the first person held, so the merge stops after moving the company, before the persons
            await blocker.execute_query("SELECT 1 FROM person WHERE id = $1::uuid FOR UPDATE", [persons[0]])
            merge = asyncio.create_task(call(one, token, MERGE, ids=[x], into=z))
            await waiting_for_locks(database_url, 1)
            # when: the second person joins the company the merge has moved (its row written, then
            # its foreign key to the company checked)
            rehome = asyncio.create_task(call(two, token, REHOME, id=persons[1], c=company["id"]))
            await until_done_or_waiting(rehome, database_url, 2)
        merged, rehomed = await asyncio.gather(merge, rehome)
        # then: both answer
        assert data(merged, "mergeSources")["moved"] == usage(1, 2, 0)
        assert data(rehomed, "updatePerson")["id"] == persons[1]


async def until_done_or_waiting(task: asyncio.Task[Any], database_url: str, n: int) -> None:
    """Returns once `task` is done or `n` of the database's sessions wait for a lock."""
    waiting = asyncio.create_task(waiting_for_locks(database_url, n))
    await asyncio.wait([task, waiting], return_when=asyncio.FIRST_COMPLETED)
    if waiting.done():
        waiting.result()  # its AssertionError when neither happened in time
    else:
        waiting.cancel()


APPLY = "mutation($c: ID!) { applyCompanySource(companyId: $c, overwrite: true) { persons deals } }"
DELETE_COMPANY = "mutation($id: ID!) { deleteCompany(id: $id) }"


@pytest.mark.usefixtures("writes_can_wait_for_each_other")
async def test_applying_a_company_source_while_the_company_is_deleted_does_not_deadlock(
    token: str, server: Server, database_url: str
) -> None:
    async with clients(server, 3) as (one, two, three):
        await call(one, token, ENABLE)
        x, z = await new_sources(one, token, "X", "Z")
        # given: a company on Z with a person on Z and a deal still storing X, deleted without
        # replacement (a retired source: the deal is without one)
        company = data(await call(one, token, CREATE_COMPANY, i={"name": "C", "sourceId": z}),
                       "createCompany")  # fmt: skip
        person = data(await call(one, token, CREATE_PERSON,
                                 i={"firstName": "P", "sourceId": z, "companyId": company["id"]}),
                      "createPerson")  # fmt: skip
        data(await call(one, token, CREATE_DEAL, i={"title": "D", "sourceId": x, "companyId": company["id"]}),
             "createDeal")  # fmt: skip
        data(await call(one, token, DELETE, id=x, r=None), "deleteSource")
        async with database(database_url), in_transaction() as blocker:
            # the person held, so the delete stops after locking the company, before its persons
            await blocker.execute_query("SELECT 1 FROM person WHERE id = $1::uuid FOR UPDATE", [person["id"]])
            delete = asyncio.create_task(call(two, token, DELETE_COMPANY, id=company["id"]))
            await waiting_for_locks(database_url, 1)
            # when: the company's source is applied to its deal meanwhile
            apply = asyncio.create_task(call(three, token, APPLY, c=company["id"]))
            await until_done_or_waiting(apply, database_url, 2)
        deleted, applied = await asyncio.gather(delete, apply)
        # then: both answer (the apply before the delete, or NOT_FOUND after it)
        assert data(deleted, "deleteCompany") == company["id"]
        assert codes(applied) == [] or codes(applied) == ["NOT_FOUND"], applied
        if not codes(applied):
            assert data(applied, "applyCompanySource") == {"persons": 0, "deals": 1}
