"""Keep a BI copy of Tributary's sources, companies, persons and deals in a local SQLite file.

    pip install httpx
    python examples/bi_sync.py --url http://127.0.0.1:8000 --token "$TOKEN" --copy bi_copy.sqlite3

Run it as often as you like (cron, a scheduler). The first run pulls every record in update order
(`orderBy: UPDATED_FIRST_TO_LAST`), page by page; each later run pulls only what changed after
the cursor it kept (the last `endCursor` of each list) and the records deleted since
(`deletedRecords`), and applies them: changed records are upserted by id, deleted ones removed.
Every page is committed together with its cursor, so an interrupted run resumes where it
stopped. Sources are a short list: each run copies them whole.

A copy not synced for KEEP_DAYS (90) days starts over with a full pull: Tributary keeps
tombstones of deleted records for at least that long, not longer.
"""

from __future__ import annotations

import argparse
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

KEEP_DAYS = 90
PAGE = 200

SCHEMA = """
CREATE TABLE IF NOT EXISTS source (id TEXT PRIMARY KEY, name TEXT, color TEXT, position INTEGER,
                                   archived INTEGER);
CREATE TABLE IF NOT EXISTS company (id TEXT PRIMARY KEY, name TEXT, source_id TEXT, owner_id TEXT,
                                    created_at TEXT, updated_at TEXT);
CREATE TABLE IF NOT EXISTS person (id TEXT PRIMARY KEY, first_name TEXT, last_name TEXT, email TEXT,
                                   company_id TEXT, source_id TEXT, owner_id TEXT, created_at TEXT,
                                   updated_at TEXT);
CREATE TABLE IF NOT EXISTS deal (id TEXT PRIMARY KEY, title TEXT, value TEXT, status TEXT,
                                 company_id TEXT, person_id TEXT, source_id TEXT, owner_id TEXT,
                                 created_at TEXT, updated_at TEXT);
CREATE TABLE IF NOT EXISTS sync_state (name TEXT PRIMARY KEY, value TEXT);
"""


def _id(node: dict[str, Any] | None) -> str | None:
    return node["id"] if node else None


def _record(n: dict[str, Any]) -> dict[str, Any]:
    """What every kind of record has."""
    return {
        "id": n["id"],
        "source_id": _id(n["source"]),
        "owner_id": _id(n["owner"]),
        "created_at": n["createdAt"],
        "updated_at": n["updatedAt"],
    }


def company_row(n: dict[str, Any]) -> dict[str, Any]:
    return {**_record(n), "name": n["name"]}


def person_row(n: dict[str, Any]) -> dict[str, Any]:
    return {**_record(n), "first_name": n["firstName"], "last_name": n["lastName"], "email": n["email"],
            "company_id": _id(n["company"])}  # fmt: skip


def deal_row(n: dict[str, Any]) -> dict[str, Any]:
    return {**_record(n), "title": n["title"], "value": n["value"], "status": n["status"],
            "company_id": _id(n["company"]), "person_id": _id(n["person"])}  # fmt: skip


RECORD = "source { id } owner { id } createdAt updatedAt"
# list field -> (table, the node's fields, the node as a row of the table)
LISTS: dict[str, tuple[str, str, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "companies": ("company", f"id name {RECORD}", company_row),
    "persons": ("person", f"id firstName lastName email company {{ id }} {RECORD}", person_row),
    "deals": ("deal", f"id title value status company {{ id }} person {{ id }} {RECORD}", deal_row),
}
TABLES = {"COMPANY": "company", "PERSON": "person", "DEAL": "deal"}

CHANGES = """query($after: String) {{
  {field}(first: {page}, after: $after, orderBy: UPDATED_FIRST_TO_LAST) {{
    edges {{ node {{ {fields} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"""
DELETIONS = """query($since: DateTime!, $after: String) {
  deletedRecords(since: $since, first: 200, after: $after) {
    edges { node { id kind deletedAt } } pageInfo { hasNextPage endCursor } } }"""
SOURCES = "{ sources(includeArchived: true) { id name color position archived } }"


class Tributary:
    def __init__(self, url: str, token: str) -> None:
        self.http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60)

    def query(self, document: str, **variables: Any) -> dict[str, Any]:
        response = self.http.post("/graphql", json={"query": document, "variables": variables})
        body: dict[str, Any] = response.json()
        if body.get("errors"):
            raise RuntimeError(f"Tributary answered {response.status_code}: {body['errors']}")
        data: dict[str, Any] = body["data"]
        return data

    def pages(
        self, document: str, field: str, after: str | None, **variables: Any
    ) -> Iterator[tuple[list[Any], str | None]]:
        """(nodes, cursor to keep) page by page, from `after` on, until the list ends."""
        while True:
            connection = self.query(document, after=after, **variables)[field]
            after = connection["pageInfo"]["endCursor"] or after  # an empty page keeps the cursor
            yield [edge["node"] for edge in connection["edges"]], after
            if not connection["pageInfo"]["hasNextPage"]:
                return


class Copy:
    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path)
        self.db.executescript(SCHEMA)

    def state(self, name: str) -> str | None:
        row = self.db.execute("SELECT value FROM sync_state WHERE name = ?", [name]).fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def set_state(self, name: str, value: str | None) -> None:
        self.db.execute("INSERT OR REPLACE INTO sync_state (name, value) VALUES (?, ?)", [name, value])

    def upsert(self, table: str, row: dict[str, Any]) -> None:
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        self.db.execute(f"INSERT OR REPLACE INTO {table} ({names}) VALUES ({marks})", list(row.values()))

    def start_over(self) -> None:
        for table in ("source", "company", "person", "deal", "sync_state"):
            self.db.execute(f"DELETE FROM {table}")
        self.db.commit()


def sync(tributary: Tributary, copy: Copy, *, now: datetime) -> tuple[bool, dict[str, int]]:
    """One run: what changed (everything, the first time), then what was deleted. Returns whether
    it was a full pull, and how many records of each kind it applied."""
    counts: dict[str, int] = {}
    last_run = copy.state("last_run")
    if last_run is not None and now - datetime.fromisoformat(last_run) > timedelta(days=KEEP_DAYS):
        copy.start_over()  # deletions this old may be forgotten by the server: pull everything again
    full = copy.state("deletions_since") is None
    if full:  # deletions from a day before this first run on (the two clocks may differ)
        copy.set_state("deletions_since", (now - timedelta(days=1)).isoformat())
        copy.db.commit()
    with copy.db:  # sources: a short list, copied whole
        copy.db.execute("DELETE FROM source")
        for s in tributary.query(SOURCES)["sources"]:
            copy.upsert("source", {**s, "archived": int(s["archived"])})
    for field, (table, fields, to_row) in LISTS.items():
        document = CHANGES.format(field=field, page=PAGE, fields=fields)
        counts[field] = 0
        for nodes, cursor in tributary.pages(document, field, copy.state(field)):
            with copy.db:  # the page and its cursor together
                for node in nodes:
                    copy.upsert(table, to_row(node))
                copy.set_state(field, cursor)
            counts[field] += len(nodes)
    counts["deleted"] = 0
    since = copy.state("deletions_since")
    for nodes, cursor in tributary.pages(DELETIONS, "deletedRecords", copy.state("deletions"), since=since):
        with copy.db:
            for node in nodes:
                copy.db.execute(f"DELETE FROM {TABLES[node['kind']]} WHERE id = ?", [node["id"]])
            copy.set_state("deletions", cursor)
        counts["deleted"] += len(nodes)
    with copy.db:
        copy.set_state("last_run", now.isoformat())
    return full, counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--token", required=True, help="a token of the account's BI user")
    parser.add_argument("--copy", default="bi_copy.sqlite3", help="the SQLite file that holds the copy")
    args = parser.parse_args(argv)
    tributary = Tributary(args.url, args.token)
    try:
        full, counts = sync(tributary, Copy(args.copy), now=datetime.now(UTC))
    finally:
        tributary.http.close()
    applied = ", ".join(f"{n} {what}" for what, n in counts.items())
    print(f"{'full' if full else 'incremental'} pull: {applied}")


if __name__ == "__main__":
    main()
