"""Tributary's benchmark: ratios measured in one run, on one database, interleaved.

    python bench/run.py --persons 1000000            # SQLite in a temporary folder
    python bench/run.py --persons 300000 --database-url postgres://postgres@127.0.0.1/bench \
        --peer postgraphile                        # beside PostGraphile on the same tables

It seeds a database (through `tributary seed`), serves it with a real `tributary serve`, and
compares each figure with a baseline measured in the same rounds, so the ratios hold whatever
the machine. Medians of --rounds rounds. Throughput is measured by wrk (bench/load.py) against
the frameworks' ceilings (bench/ceilings.py) and, with --peer, against PostGraphile
(bench/peer.py). Writes bench/results/latest.md and latest.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.figures import Figure  # noqa: E402
from bench.load import CONNECTIONS, THREADS  # noqa: E402
from bench.starvation import victim_p99  # noqa: E402
from bench.throughput import SERVER_ENV, Setup, under_load  # noqa: E402
from processes import run_cli, serving  # noqa: E402
from resolvers.pagination import encode_cursor  # noqa: E402

RESULTS = ROOT / "bench" / "results"
# "a few seconds" for a bulk move of 300,000 records on SQLite (issue: sources as a managed list)
BULK_SECONDS_PER_300K = 5.0

STATS = """query($kind: ContactKind!, $users: [ID!], $attribution: Attribution) {
  sourceStats(contactKind: $kind, userIds: $users, attribution: $attribution) {
  source { id name } label count persons companies share
  deals { count totalValue averageValue won wonValue winRate } } }"""
ROW = """source { id name } label count persons companies share
  deals { count totalValue averageValue won wonValue winRate }"""
TREND = f"""query($from: DateTime!, $to: DateTime!) {{
  sourceTrend(interval: MONTH, createdFrom: $from, createdTo: $to, contactKind: ALL) {{
    start end label rows {{ {ROW} }} }} }}"""
STATS_RANGE = f"""query($from: DateTime!, $to: DateTime!) {{
  sourceStats(contactKind: ALL, createdFrom: $from, createdTo: $to) {{ {ROW} }} }}"""
NESTED_PAGE = """query($after: String) { persons(first: 200, after: $after) { edges { node {
  id firstName lastName email createdAt source { id name } owner { id name }
  company { id name source { id name } owner { id name } } } } } }"""
SCALAR_PAGE = """query($after: String) { persons(first: 200, after: $after) { edges { node {
  id firstName lastName email createdAt } } } }"""
ENABLE_SOURCES = "mutation { updateSourceSettings(enabled: true) { enabled } }"
SOURCES_BY_USE = "{ sources { id name usage { companies persons deals } } }"
MERGE = """mutation($ids: [ID!]!, $into: ID!) {
  mergeSources(ids: $ids, into: $into, confirm: true) { moved { companies persons deals } } }"""
DELETE = """mutation($id: ID!, $into: ID!) {
  deleteSource(id: $id, confirm: true, replaceWith: $into) { detached { companies persons deals } } }"""

# the statistics as plain SQL: what the GraphQL answer must not cost much more than
RAW_STATS = {
    "persons": "SELECT source_id, COUNT(*) FROM person WHERE account_id = {a} {owners} GROUP BY source_id",
    "companies": "SELECT source_id, COUNT(*) FROM company WHERE account_id = {a} {owners} GROUP BY source_id",
    "deals": "SELECT source_id, COUNT(*), SUM(value_cents), "
    "SUM(CASE WHEN status = 'WON' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN status = 'WON' THEN value_cents ELSE 0 END), "
    "SUM(CASE WHEN status = 'LOST' THEN 1 ELSE 0 END) "
    "FROM deal WHERE account_id = {a} {owners} GROUP BY source_id",
    "sources": "SELECT id, name FROM source WHERE account_id = {a}",
}


def seed_bench_account(database_url: str, account: str, *, companies: int, persons: int, deals: int) -> None:
    """`tributary seed` of an existing account as every benchmark row expects it: 8 owners, 15 sources."""
    run_cli(
        database_url, "seed", account, "--companies", str(companies), "--persons", str(persons),
        "--deals", str(deals), "--users", "8", "--sources", "15", timeout=3600,
    )  # fmt: skip


def elapsed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


class Bench:
    def __init__(
        self, url: str, token: str, database_url: str, account_id: str, rounds: int, *, timeout: float = 600
    ) -> None:
        self.http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout)
        self.url = url
        self.token = token
        self.database_url = database_url
        self.account_id = account_id
        self.rounds = rounds
        self.figures: list[Figure] = []

    def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        response = self.http.post("/graphql", json={"query": query, "variables": variables})
        body: dict[str, Any] = response.json()
        assert not body.get("errors"), body["errors"]
        return body

    def raw_sql(self, owners: list[str] | None) -> Callable[[], object]:
        if self.database_url.startswith("sqlite"):
            db = sqlite3.connect(self.database_url.removeprefix("sqlite://"), check_same_thread=False)

            def run_sqlite() -> object:
                cond = f"AND owner_id IN ({', '.join('?' * len(owners))})" if owners else ""
                results = []
                for name, sql in RAW_STATS.items():
                    params = [self.account_id] if name == "sources" else [self.account_id, *(owners or [])]
                    results.append(db.execute(sql.format(a="?", owners=cond), params).fetchall())
                return results

            return run_sqlite
        loop = asyncio.new_event_loop()
        conn = loop.run_until_complete(asyncpg.connect(self.database_url))

        def run_postgres() -> object:
            cond = "AND owner_id = ANY($2::uuid[])" if owners else ""
            args: list[Any] = [self.account_id, owners] if owners else [self.account_id]

            async def all_statements() -> list[Any]:
                results = []
                for name, sql in RAW_STATS.items():
                    query = sql.format(a="$1::uuid", owners=cond if name != "sources" else "")
                    results.append(await conn.fetch(query, *(args if name != "sources" else args[:1])))
                return results

            return loop.run_until_complete(all_statements())

        return run_postgres

    def compare(
        self, name: str, subject: Callable[[], object], baseline_name: str, baseline: Callable[[], object],
        *, target: float, better: str = "lower",
    ) -> None:  # fmt: skip
        """Interleaved rounds of subject and baseline; the ratio of the medians."""
        subject()
        baseline()  # warm caches on both sides
        subject_times, baseline_times = [], []
        for _ in range(self.rounds):
            subject_times.append(elapsed(subject))
            baseline_times.append(elapsed(baseline))
        s, b = statistics.median(subject_times), statistics.median(baseline_times)
        ratio = s / b
        met = ratio <= target if better == "lower" else ratio >= target
        symbol = "≤" if better == "lower" else "≥"
        self.figures.append(
            Figure(name, s * 1000, "ms", baseline_name, b * 1000, ratio, f"{symbol} {target}", met)
        )


def statements_per_page(database_url: str, token: str) -> int:
    """SQL statements behind one nested page, counted in-process through Tortoise's query log."""
    from config import Settings
    from server import create_app

    class Counter(logging.Handler):
        count = 0

        def emit(self, record: logging.LogRecord) -> None:
            Counter.count += 1

    async def measure() -> int:
        app = create_app(database_url, Settings())
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
        ):
            log = logging.getLogger("tortoise.db_client")
            log.setLevel(logging.DEBUG)
            log.addHandler(Counter())
            response = await client.post(
                "/graphql", json={"query": NESTED_PAGE}, headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 200
            return Counter.count

    return asyncio.run(measure())


def peak_memory_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--persons", type=int, default=100_000)
    p.add_argument("--companies", type=int, help="default: persons / 6")
    p.add_argument("--deals", type=int, help="default: persons / 2")
    p.add_argument("--database-url", help="default: a new SQLite file in a temporary folder")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--seconds", type=float, default=5.0, help="per wrk run (whole seconds)")
    p.add_argument("--load-rounds", type=int, default=3, help="interleaved wrk runs per throughput row")
    p.add_argument("--peer", choices=["postgraphile"], help="also serve the database with a peer and compare")
    p.add_argument("--results", type=Path, default=RESULTS, help="where latest.md and latest.json go")
    args = p.parse_args(argv)
    companies = args.companies if args.companies is not None else args.persons // 6
    deals = args.deals if args.deals is not None else args.persons // 2

    load_before = _load_average()
    with tempfile.TemporaryDirectory() as tmp:
        database_url = args.database_url or f"sqlite://{tmp}/bench.sqlite3"
        account = f"Bench {datetime.now():%Y-%m-%d %H:%M:%S}"
        print(f"seeding {companies:,} companies, {args.persons:,} persons, {deals:,} deals …", flush=True)
        started = time.perf_counter()
        token = run_cli(database_url, "create-account", account, "--admin-email", "bench@example.com").strip()
        victim = run_cli(
            database_url, "create-account", f"{account} (other)", "--admin-email", "other@example.com"
        ).strip()
        seed_bench_account(database_url, account, companies=companies, persons=args.persons, deals=deals)
        seed_seconds = time.perf_counter() - started
        with serving(database_url, env=SERVER_ENV) as server:
            figures = measure(server.url, server.process.pid, token, victim, database_url, args)
        figures.insert(0, Figure("seed (create-account + seed)", seed_seconds, "s"))
        report(
            figures,
            args.results,
            companies=companies,
            persons=args.persons,
            deals=deals,
            database_url=database_url,
            load_before=load_before,
        )


def measure(
    url: str, pid: int, token: str, victim_token: str, database_url: str, args: argparse.Namespace
) -> list[Figure]:
    rounds = args.rounds
    probe = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    me = probe.post("/graphql", json={"query": "{ me { id } users { id } }"}).json()["data"]
    owners = [u["id"] for u in me["users"]][:3]
    account_id = account_of(database_url, me["me"]["id"])
    bench = Bench(url, token, database_url, account_id, rounds)
    bench.gql(ENABLE_SOURCES)  # createPerson with a source needs them on
    source_id = bench.gql("{ sources { id } }")["data"]["sources"][0]["id"]

    # 1. statistics vs the same aggregates in raw SQL on the same database
    print("statistics …", flush=True)
    bench.compare(
        "sourceStats(ALL)", lambda: bench.gql(STATS, kind="ALL"), "raw SQL", bench.raw_sql(None), target=1.3
    )
    bench.compare(
        "sourceStats(PERSONS, 3 owners)", lambda: bench.gql(STATS, kind="PERSONS", users=owners),
        "raw SQL", bench.raw_sql(owners), target=1.3,
    )  # fmt: skip
    bench.compare(
        "GET /stats/sources.csv", lambda: bench.http.get("/stats/sources.csv").raise_for_status(),
        "raw SQL", bench.raw_sql(None), target=1.3,
    )  # fmt: skip
    year = last_twelve_months()
    bench.compare(
        "sourceTrend: a year by month over all contacts", lambda: bench.gql(TREND, **year),
        "sourceStats over the same year", lambda: bench.gql(STATS_RANGE, **year), target=2.0,
    )  # fmt: skip
    # by first touch: its own covering indexes, so no slower than by the current source
    bench.compare(
        "sourceStats(ALL, FIRST_TOUCH)", lambda: bench.gql(STATS, kind="ALL", attribution="FIRST_TOUCH"),
        "sourceStats(ALL)", lambda: bench.gql(STATS, kind="ALL"), target=1.3,
    )  # fmt: skip
    bench.compare(
        "sourceStats(PERSONS, 3 owners, FIRST_TOUCH)",
        lambda: bench.gql(STATS, kind="PERSONS", users=owners, attribution="FIRST_TOUCH"),
        "sourceStats(PERSONS, 3 owners)", lambda: bench.gql(STATS, kind="PERSONS", users=owners), target=1.3,
    )  # fmt: skip

    # 2. a nested page vs the same page with scalars only
    print("pages …", flush=True)
    bench.compare(
        "200 persons with source, company { source owner }, owner", lambda: bench.gql(NESTED_PAGE),
        "same page, scalars only", lambda: bench.gql(SCALAR_PAGE), target=2.5,
    )  # fmt: skip
    bench.figures.append(
        Figure("SQL statements per nested page", statements_per_page(database_url, token), "")
    )

    # 3. a page deep in the list vs the first page
    deep = deep_cursor(database_url, account_id, 100_000)
    if deep:
        bench.compare(
            "page 100,000 records deep", lambda: bench.gql(SCALAR_PAGE, after=deep),
            "first page", lambda: bench.gql(SCALAR_PAGE), target=1.2,
        )  # fmt: skip

    # 4. throughput under wrk: ceilings, the peer, two workers
    setup = Setup(
        url=url, token=token, database_url=database_url, account_id=account_id, owner_id=me["me"]["id"],
        source_id=source_id, persons=args.persons,
        tributary_cursor=lambda depth: deep_cursor(database_url, account_id, depth),
        peer=args.peer, rounds=args.load_rounds, seconds=args.seconds,
    )  # fmt: skip
    bench.figures += under_load(setup)

    # 5. fair use: another account while 20 clients of one token send the heaviest allowed document
    print("fair use under attack …", flush=True)
    p99 = victim_p99(url, token, victim_token, samples=max(10, rounds * 5))
    bench.figures.append(Figure("another account's { sources } p99, 20 attackers", p99 * 1000, "ms",
                                target="< 1000 ms", met=p99 < 1.0))  # fmt: skip

    # 6. bulk moves, last: they change the data the rows above measure. A move of a million
    # records may outlast even the bulk budget (120 s) on PostgreSQL: a server of their own with
    # an hour of it
    memory = Figure("server peak memory (VmHWM)", peak_memory_mib(pid), "MiB")
    print("bulk moves …", flush=True)
    with serving(database_url, env={**SERVER_ENV, "TRIBUTARY_BULK_TIMEOUT": "3600"}) as patient:
        bench.figures += bulk_moves(Bench(patient.url, token, database_url, account_id, rounds, timeout=3600))

    # 7. memory of the server that measured the rows above
    bench.figures.append(memory)
    return bench.figures


def bulk_moves(bench: Bench) -> list[Figure]:
    """One mergeSources of the most-used source into the third, then one deleteSource of that
    (now largest) source with the second as replacement: single calls, each one transaction
    that writes every record's history entry and `updatedAt` (resolvers/history.py), each
    started once the log of what came before is in the database file (`settle_log`)."""

    figures = []
    first, second, third = most_used_sources(bench)
    for name, document, variables, payload, field in (
        ("mergeSources: the most-used source into another", MERGE, {"ids": [first], "into": third},
         "mergeSources", "moved"),
        ("deleteSource with replaceWith: the merged source", DELETE, {"id": third, "into": second},
         "deleteSource", "detached"),
    ):  # fmt: skip
        settle_log(bench.database_url)
        started = time.perf_counter()
        answer = bench.gql(document, **variables)
        seconds = time.perf_counter() - started
        moved = records(answer["data"][payload][field])
        figure = Figure(name, seconds, "s", f"one call, {moved:,} records moved")
        if bench.database_url.startswith("sqlite") and moved:
            # the "300,000 records in a few seconds on SQLite", at this call's rate
            figure.target = f"≤ {BULK_SECONDS_PER_300K:.0f} s per 300,000 records"
            figure.met = seconds * 300_000 / moved <= BULK_SECONDS_PER_300K
        figures.append(figure)
    return figures


def records(usage: dict[str, int]) -> int:
    """The records a `Usage` (or a move's counts) adds up to."""
    return usage["companies"] + usage["persons"] + usage["deals"]


def most_used_sources(bench: Bench) -> list[str]:
    """The ids of the three sources with the most records, most used first: what the moves move."""
    by_use = sorted(bench.gql(SOURCES_BY_USE)["data"]["sources"], key=lambda s: -records(s["usage"]))
    return [s["id"] for s in by_use[:3]]


def settle_log(database_url: str) -> None:
    """SQLite: the write-ahead log copied into the database file (a PASSIVE checkpoint, as the
    server's checkpointer runs every second), so a timed call does not share the disk with the
    copy of the one before it: each row times its own call."""
    if not database_url.startswith("sqlite"):
        return
    with closing(sqlite3.connect(database_url.removeprefix("sqlite://"))) as db:
        for _ in range(600):
            # (busy, frames in the log, frames copied): busy while the server's checkpointer runs
            busy, logged, copied = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if not busy and logged == copied:
                return
            time.sleep(0.05)
    raise RuntimeError("the write-ahead log was not copied into the database file within 30 s")


def last_twelve_months() -> dict[str, str]:
    """This calendar month (UTC) and the eleven before it: half of what `seed` spreads over two years."""
    now = datetime.now(UTC)
    months_back = now.year * 12 + now.month - 1 - 11
    start = datetime(months_back // 12, months_back % 12 + 1, 1, tzinfo=UTC)
    end = datetime(now.year + now.month // 12, now.month % 12 + 1, 1, tzinfo=UTC)
    return {"from": start.isoformat(), "to": end.isoformat()}


def account_of(database_url: str, user_id: str) -> str:
    sql = "SELECT account_id FROM app_user WHERE id = {}"
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite://")) as db:
            return str(db.execute(sql.format("?"), [user_id]).fetchone()[0])

    async def fetch() -> str:
        conn = await asyncpg.connect(database_url)
        try:
            return str(await conn.fetchval(sql.format("$1::uuid"), user_id))
        finally:
            await conn.close()

    return asyncio.run(fetch())


def deep_cursor(database_url: str, account_id: str, depth: int) -> str | None:
    """The cursor after `depth` persons, newest first (what a client gets after 500 pages)."""
    sql = (
        "SELECT created_at, id FROM person WHERE account_id = {} "
        "ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET {}"
    )
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite://")) as db:
            row = db.execute(sql.format("?", depth - 1), [account_id]).fetchone()
        return encode_cursor(datetime.fromisoformat(row[0]), row[1]) if row else None

    async def fetch() -> str | None:
        conn = await asyncpg.connect(database_url)
        try:
            found = await conn.fetchrow(sql.format("$1::uuid", depth - 1), account_id)
        finally:
            await conn.close()
        return encode_cursor(found["created_at"], found["id"]) if found else None

    return asyncio.run(fetch())


def report(figures: list[Figure], results: Path, **size: Any) -> None:
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    load = [f for f in figures if f.p50_ms is not None]
    lines = [
        f"Tributary benchmark, {datetime.now():%Y-%m-%d %H:%M}, {machine}, "
        f"{'SQLite' if str(size['database_url']).startswith('sqlite') else 'PostgreSQL'}, "
        f"{size['companies']:,} companies, {size['persons']:,} persons, {size['deals']:,} deals",
        f"load average before: {size['load_before']}, after: {_load_average()}",
        "",
        "| measure | value | baseline | ratio | target | met |",
        "| --- | ---: | --- | ---: | --- | --- |",
    ]
    for f in figures:
        if f in load:
            continue
        baseline = (
            f"{f.baseline} ({f.baseline_value:.1f} ms)" if f.baseline_value and f.unit == "ms" else f.baseline
        )
        lines.append(
            f"| {f.name} | {f.value:,.1f} {f.unit} | {baseline} | {_ratio(f)} | {f.target} | {_met(f)} |"
        )
    lines += [
        "",
        f"Under load: wrk -t{THREADS} -c{CONNECTIONS}, requests/s and latency p50 / p99 in ms, "
        "medians of interleaved runs",
        "",
        "| request | req/s | p50 / p99 | baseline | req/s | p50 / p99 | ratio | target | met |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | --- | --- |",
    ]
    for f in load:
        ours = f"{f.p50_ms:.1f} / {f.p99_ms:.1f}"
        theirs = f"{f.baseline_p50_ms:.1f} / {f.baseline_p99_ms:.1f}" if f.baseline_p50_ms is not None else ""
        rate = f"{f.baseline_value:,.0f}" if f.baseline_value is not None else ""
        lines.append(
            f"| {f.name} | {f.value:,.0f} | {ours} | {f.baseline} | {rate} | {theirs} | {_ratio(f)} "
            f"| {f.target} | {_met(f)} |"
        )
    table = "\n".join(lines)
    print("\n" + table)
    results.mkdir(parents=True, exist_ok=True)
    (results / "latest.md").write_text(table + "\n")
    size["database_url"] = str(size["database_url"]).split("@")[-1]
    (results / "latest.json").write_text(
        json.dumps({"machine": machine, "size": size, "figures": [asdict(f) for f in figures]}, indent=2)
    )


def _ratio(f: Figure) -> str:
    return f"{f.ratio:.2f}" if f.ratio is not None else ""


def _met(f: Figure) -> str:
    return "" if f.met is None else ("yes" if f.met else "**no**")


def _load_average() -> str:
    """The machine's 1-, 5- and 15-minute load averages: other jobs share it."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
