"""The benchmark's throughput rows: Tributary under wrk, beside the ceilings and the peer.

1. Ceilings, interleaved round by round with Tributary's `{ me { id } }` and `/healthz`: bare
   Starlette and a bare Strawberry `{ hello }` with parser and validation caches (one uvicorn
   process each, bench/ceilings.py).
2. With `--peer postgraphile`: issue 16's table, each request to Tributary and to PostGraphile
   (bench/peer.py) after checking that both answer the same rows, interleaved.
3. PostgreSQL: the 50-person page on two workers against one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench import peer
from bench.ceilings import HELLO, serving_app
from bench.figures import Figure
from bench.load import Load, Request, ensure_wrk, interleaved, median_load, run_wrk
from processes import free_port, serving

# the benchmark sends 16 requests of one token at once: the per-token bound would refuse them
SERVER_ENV = {"TRIBUTARY_MAX_IN_FLIGHT": "1000"}


@dataclass(frozen=True)
class Setup:
    url: str  # the Tributary server under test (one process)
    token: str
    database_url: str
    account_id: str
    owner_id: str  # the token's user
    source_id: str  # a source of the account (sources are switched on)
    persons: int
    tributary_cursor: Callable[[int], str | None]  # Tributary's cursor after that many persons
    peer: str | None
    rounds: int
    seconds: float

    @property
    def on_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def under_load(setup: Setup) -> list[Figure]:
    ensure_wrk()
    if setup.peer and setup.on_sqlite:
        raise SystemExit("bench: --peer postgraphile needs --database-url postgres://…")
    if setup.peer:
        peer.install()
    print("throughput: ceilings …", flush=True)
    figures = ceilings(setup)
    if setup.peer:
        print("throughput: beside PostGraphile …", flush=True)
        figures += beside_postgraphile(setup)
    if not setup.on_sqlite:
        print("throughput: two workers …", flush=True)
        figures.append(two_workers(setup))
    return figures


def ceilings(setup: Setup) -> list[Figure]:
    me, healthz = Request.graphql(peer.ME, setup.token), Request("/healthz")
    hello = Request("/", json.dumps({"query": HELLO}))
    runs: dict[str, list[Load]] = {"starlette": [], "strawberry": [], "healthz": [], "me": []}
    with (
        serving_app("starlette_app", free_port()) as bare,
        serving_app("strawberry_app", free_port()) as cached,
    ):
        for _ in range(setup.rounds):
            runs["starlette"].append(run_wrk(bare, Request("/"), seconds=setup.seconds))
            runs["strawberry"].append(run_wrk(cached, hello, seconds=setup.seconds))
            runs["healthz"].append(run_wrk(setup.url, healthz, seconds=setup.seconds))
            runs["me"].append(run_wrk(setup.url, me, seconds=setup.seconds))
    m = {name: median_load(loads) for name, loads in runs.items()}
    return [
        Figure.load("ceiling: bare Starlette", m["starlette"]),
        Figure.load("ceiling: bare Strawberry { hello }, parser and validation caches", m["strawberry"]),
        Figure.load("GET /healthz", m["healthz"], "bare Starlette", m["starlette"]),
        Figure.load("{ me { id } } vs bare cached Strawberry", m["me"], "bare Strawberry",
                    m["strawberry"], 0.5),
        Figure.load("{ me { id } } vs /healthz", m["me"], "GET /healthz", m["healthz"],
                    0.5 if setup.on_sqlite else None),
    ]  # fmt: skip


def beside_postgraphile(setup: Setup) -> list[Figure]:
    figures = []
    depth = min(100_000, setup.persons * 2 // 3)
    with peer.serving_postgraphile(setup.database_url, free_port()) as peer_url:
        b = peer.Bench(
            token=setup.token,
            account_id=setup.account_id,
            owner_id=setup.owner_id,
            source_id=setup.source_id,
            deep_cursor=setup.tributary_cursor(depth),
            peer_deep_cursor=peer.peer_cursor_at(peer_url, setup.account_id, depth),
            depth=depth,
        )
        found = peer.pairs(b)
        peer.check_same_rows(setup.url, peer_url, found)
        for pair in found:
            ours, theirs = interleaved(
                (setup.url, pair.tributary), (peer_url, pair.peer), rounds=setup.rounds, seconds=setup.seconds
            )
            figures.append(Figure.load(pair.name, ours, "PostGraphile", theirs, pair.target))
    return figures


def two_workers(setup: Setup) -> Figure:
    page = Request.graphql(peer.PAGE, setup.token)
    with serving(setup.database_url, "--workers", "2", env=SERVER_ENV) as two:
        time.sleep(2)  # the second worker starts after the first answers /healthz
        run_wrk(two.url, page, seconds=1)  # warm both workers' caches
        both, one = interleaved(
            (two.url, page), (setup.url, page), rounds=setup.rounds, seconds=setup.seconds
        )
    return Figure.load("newest 50 persons: two workers vs one", both, "one worker", one, 1.4)
