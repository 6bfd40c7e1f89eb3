"""The peer: PostGraphile 4.14 with pg-aggregates serving the very same PostgreSQL tables.

bench/peer/ pins the npm packages (package.json and package-lock.json); `install()` runs `npm
ci` there when node_modules is missing or older than the lock. `serving_postgraphile` runs one
PostGraphile process (no query log, no GraphiQL), as a user who picked it instead would.

`PAIRS` are the requests of issue 16's table, each written for both servers, with what each
answer means in rows: `check_same_rows` compares them before anything is timed, so a ratio
never compares different work. PostGraphile has no accounts: its documents filter by the
benchmark account's id (`condition: {accountId}`), which the same indexes serve.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from bench.load import Request
from processes import answering

PEER = Path(__file__).resolve().parent / "peer"
POSTGRAPHILE = PEER / "node_modules" / ".bin" / "postgraphile"


def install() -> None:
    """`npm ci` in bench/peer unless its node_modules is already installed from the current lock."""
    marker = PEER / "node_modules" / ".package-lock.json"
    lock = PEER / "package-lock.json"
    if POSTGRAPHILE.exists() and marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    if not shutil.which("npm"):
        raise SystemExit("bench: --peer postgraphile needs Node.js and npm (`sudo apt-get install npm`)")
    print("installing PostGraphile (npm ci in bench/peer) …", flush=True)
    subprocess.run(
        ["npm", "ci", "--loglevel=error", "--no-audit", "--no-fund"], cwd=PEER, check=True, timeout=600
    )


@contextmanager
def serving_postgraphile(database_url: str, port: int) -> Iterator[str]:
    """One PostGraphile process on `port` until the block ends; its base URL once it answers."""
    process = subprocess.Popen(
        [str(POSTGRAPHILE), "--connection", database_url, "--schema", "public",
         "--append-plugins", "@graphile/pg-aggregates", "--host", "127.0.0.1", "--port", str(port),
         "--disable-query-log", "--disable-graphiql"],
        cwd=PEER, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "NODE_ENV": "production"},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        return httpx.post(f"{url}/graphql", json={"query": "{ __typename }"}, timeout=2).status_code == 200

    with answering(process, ready, name="PostGraphile", timeout=60):
        yield url


# -- the requests, for Tributary and for PostGraphile ------------------------------------------

ME = "{ me { id } }"
PEER_ME = "{ query { __typename } }"

PAGE_FIELDS = "id firstName lastName source { name } company { name } owner { name }"
PAGE = (
    "query($after: String) { persons(first: 50, after: $after) { edges { node { " + PAGE_FIELDS + " } } } }"
)
PEER_PAGE_FIELDS = (
    "id firstName lastName sourceBySourceId { name } companyByCompanyId { name } appUserByOwnerId { name }"
)
PEER_PAGE = (
    "query($a: UUID!, $after: Cursor) { allPeople(first: 50, after: $after, "
    "orderBy: [CREATED_AT_DESC, ID_DESC], condition: {accountId: $a}) { nodes { "
    + PEER_PAGE_FIELDS
    + " } } }"
)
PEER_CURSOR_AT = (
    "query($a: UUID!, $offset: Int!) { allPeople(first: 1, offset: $offset, "
    "orderBy: [CREATED_AT_DESC, ID_DESC], condition: {accountId: $a}) { edges { cursor } } }"
)

PERSONS_PER_SOURCE = "{ sourceStats(contactKind: PERSONS) { label count } }"
PEER_PERSONS_PER_SOURCE = """query($a: UUID!) {
  allSources(condition: {accountId: $a}) { nodes { name peopleBySourceId { totalCount } } }
  none: allPeople(condition: {accountId: $a, sourceId: null}) { totalCount } }"""

ALL_STATS = """{ sourceStats(contactKind: ALL) { source { id name } label count persons companies share
  deals { count totalValue averageValue won wonValue winRate } } }"""
_PEER_DEALS = """deals: dealsBySourceId{c} {{ totalCount aggregates {{ sum {{ valueCents }} }} }}
  won: dealsBySourceId{w} {{ totalCount aggregates {{ sum {{ valueCents }} }} }}
  lost: dealsBySourceId{l} {{ totalCount }}"""
PEER_ALL_STATS = (
    """query($a: UUID!) {
  allSources(condition: {accountId: $a}) { nodes { id name
    peopleBySourceId { totalCount } companiesBySourceId { totalCount }
    """
    + _PEER_DEALS.format(c="", w='(condition: {status: "WON"})', l='(condition: {status: "LOST"})')
    + """ } }
  nonePeople: allPeople(condition: {accountId: $a, sourceId: null}) { totalCount }
  noneCompanies: allCompanies(condition: {accountId: $a, sourceId: null}) { totalCount }
  """
    + _PEER_DEALS.format(
        c="(condition: {accountId: $a, sourceId: null})",
        w='(condition: {accountId: $a, sourceId: null, status: "WON"})',
        l='(condition: {accountId: $a, sourceId: null, status: "LOST"})',
    ).replace("dealsBySourceId", "allDeals")
    + " }"
)

CREATE = 'mutation($s: ID!) { createPerson(input: {firstName: "Bench", sourceId: $s}) { id } }'
PEER_CREATE = (
    "mutation($a: UUID!, $o: UUID!, $s: UUID!) { createPerson(input: {person: {"
    'id: "{{uuid}}", firstName: "Bench", firstNameFolded: "bench", lastName: "", accountId: $a, '
    'ownerId: $o, sourceId: $s, createdAt: "{{now}}", updatedAt: "{{now}}"}}) { person { id } } }'
)

NO_SOURCE = "No source"


def _page_rows(nodes: list[dict[str, Any]], *, peer: bool) -> list[tuple[Any, ...]]:
    keys = (
        ("sourceBySourceId", "companyByCompanyId", "appUserByOwnerId")
        if peer
        else ("source", "company", "owner")
    )
    return [
        (n["id"], n["firstName"], n["lastName"], *((n[k] or {}).get("name") for k in keys)) for n in nodes
    ]


def tributary_page(data: dict[str, Any]) -> object:
    return _page_rows([e["node"] for e in data["persons"]["edges"]], peer=False)


def peer_page(data: dict[str, Any]) -> object:
    return _page_rows(data["allPeople"]["nodes"], peer=True)


def tributary_counts(data: dict[str, Any]) -> object:
    return {r["label"]: r["count"] for r in data["sourceStats"] if r["count"]}


def peer_counts(data: dict[str, Any]) -> object:
    counts = {s["name"]: s["peopleBySourceId"]["totalCount"] for s in data["allSources"]["nodes"]}
    counts[NO_SOURCE] = data["none"]["totalCount"]
    return {label: count for label, count in counts.items() if count}


def _cents(value: str | None) -> int:
    return int(Decimal(value or 0) * 100)


def tributary_stats(data: dict[str, Any]) -> object:
    rows = {}
    for r in data["sourceStats"]:
        d = r["deals"]
        rows[r["label"]] = (
            r["persons"], r["companies"], d["count"], _cents(d["totalValue"]),
            d["won"], _cents(d["wonValue"]), None if d["winRate"] is None else round(d["winRate"], 9),
        )  # fmt: skip
    return {label: row for label, row in rows.items() if row[0] or row[1] or row[2]}


def _peer_stats_row(people: int, companies: int, deals: Any, won: Any, lost: Any) -> tuple[Any, ...]:
    closed = won["totalCount"] + lost["totalCount"]
    return (
        people, companies, deals["totalCount"], int(deals["aggregates"]["sum"]["valueCents"] or 0),
        won["totalCount"], int(won["aggregates"]["sum"]["valueCents"] or 0),
        round(won["totalCount"] / closed, 9) if closed else None,
    )  # fmt: skip


def peer_stats(data: dict[str, Any]) -> object:
    rows = {
        s["name"]: _peer_stats_row(
            s["peopleBySourceId"]["totalCount"],
            s["companiesBySourceId"]["totalCount"],
            s["deals"],
            s["won"],
            s["lost"],
        )
        for s in data["allSources"]["nodes"]
    }
    rows[NO_SOURCE] = _peer_stats_row(
        data["nonePeople"]["totalCount"], data["noneCompanies"]["totalCount"], data["deals"], data["won"],
        data["lost"],
    )  # fmt: skip
    return {label: row for label, row in rows.items() if row[0] or row[1] or row[2]}


@dataclass(frozen=True)
class Pair:
    """One row of the table: the same request to Tributary and to PostGraphile, and its target."""

    name: str
    tributary: Request
    peer: Request
    target: float
    rows: tuple[Callable[[dict[str, Any]], object], Callable[[dict[str, Any]], object]] | None = None


@dataclass(frozen=True)
class Bench:
    """What the peer's documents need to know about the benchmark account."""

    token: str
    account_id: str
    owner_id: str
    source_id: str
    deep_cursor: str | None
    peer_deep_cursor: str | None
    depth: int


def pairs(b: Bench) -> list[Pair]:
    """The table's rows in the order they are measured; createPerson last, as it adds rows."""
    a = b.account_id
    found = [
        Pair("{ me { id } } vs { query { __typename } }", Request.graphql(ME, b.token),
             Request.graphql(PEER_ME), 0.25),
        Pair("newest 50 persons with source, company, owner names", Request.graphql(PAGE, b.token),
             Request.graphql(PEER_PAGE, a=a), 0.5, (tributary_page, peer_page)),
    ]  # fmt: skip
    if b.deep_cursor and b.peer_deep_cursor:
        found.append(
            Pair(f"the page after row {b.depth:,}", Request.graphql(PAGE, b.token, after=b.deep_cursor),
                 Request.graphql(PEER_PAGE, a=a, after=b.peer_deep_cursor), 2.0, (tributary_page, peer_page))
        )  # fmt: skip
    found += [
        Pair("persons per source (sourceStats(PERSONS) { label count })",
             Request.graphql(PERSONS_PER_SOURCE, b.token), Request.graphql(PEER_PERSONS_PER_SOURCE, a=a),
             1.0, (tributary_counts, peer_counts)),
        Pair("all statistics", Request.graphql(ALL_STATS, b.token), Request.graphql(PEER_ALL_STATS, a=a),
             1.0, (tributary_stats, peer_stats)),
        Pair("createPerson with a source", Request.graphql(CREATE, b.token, s=b.source_id),
             Request.graphql(PEER_CREATE, a=a, o=b.owner_id, s=b.source_id), 0.9),
    ]  # fmt: skip
    return found


def answer(url: str, request: Request) -> dict[str, Any]:
    """The `data` of one request; errors stop the benchmark."""
    assert request.body is not None
    headers = {"Content-Type": "application/json", **dict(request.headers)}
    response = httpx.post(url + request.path, content=request.body, headers=headers, timeout=120)
    payload: dict[str, Any] = response.json()
    if response.status_code != 200 or payload.get("errors"):
        raise RuntimeError(f"{url}: {response.status_code} {payload.get('errors')}")
    data: dict[str, Any] = payload["data"]
    return data


def check_same_rows(tributary_url: str, peer_url: str, found: list[Pair]) -> None:
    """Both servers answer every read of the table with the same rows, or the benchmark stops."""
    for pair in found:
        if pair.rows is None:
            continue
        ours, theirs = pair.rows
        mine, peers = ours(answer(tributary_url, pair.tributary)), theirs(answer(peer_url, pair.peer))
        if mine != peers:
            raise SystemExit(f"bench: {pair.name}: Tributary and PostGraphile disagree\n{mine}\n{peers}")


def peer_cursor_at(peer_url: str, account_id: str, depth: int) -> str | None:
    """PostGraphile's own cursor of the row at `depth` (newest first), fetched once with an offset."""
    data = answer(peer_url, Request.graphql(PEER_CURSOR_AT, a=account_id, offset=depth - 1))
    edges = data["allPeople"]["edges"]
    return str(edges[0]["cursor"]) if edges else None
