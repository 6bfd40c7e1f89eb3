"""The README's BI example (examples/bi_sync.py) against a real `tributary serve`: after creates,
updates, a merge and deletes, its copy holds exactly what the server holds."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from processes import ROOT, Server, run_cli, serving

EXAMPLE = ROOT / "examples" / "bi_sync.py"
RECORD = "id source { id } owner { id } createdAt updatedAt"
NODES = {
    "companies": f"{RECORD} name",
    "persons": f"{RECORD} firstName lastName email company {{ id }}",
    "deals": f"{RECORD} title value status company {{ id }} person {{ id }}",
}
LIST = """query($after: String) {{ {field}(first: 200, after: $after) {{
  edges {{ node {{ {nodes} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"""
SOURCES = "{ sources(includeArchived: true) { id name color position archived } }"


class Api:
    def __init__(self, server: Server, token: str) -> None:
        self.http = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *_: object) -> None:
        self.http.close()

    def __call__(self, document: str, **variables: Any) -> dict[str, Any]:
        body: dict[str, Any] = self.http.post(
            "/graphql", json={"query": document, "variables": variables}
        ).json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def create(self, kind: str, **fields: Any) -> str:
        name = kind[0].upper() + kind[1:]
        document = f"mutation($i: Create{name}Input!) {{ create{name}(input: $i) {{ id }} }}"
        created: str = self(document, i=fields)[f"create{name}"]["id"]
        return created

    def update(self, kind: str, record_id: str, **fields: Any) -> None:
        name = kind[0].upper() + kind[1:]
        self(f"mutation($id: ID!, $i: Update{name}Input!) {{ update{name}(id: $id, input: $i) {{ id }} }}",
             id=record_id, i=fields)  # fmt: skip

    def delete(self, kind: str, record_id: str) -> None:
        name = kind[0].upper() + kind[1:]
        self(f"mutation($id: ID!) {{ delete{name}(id: $id) }}", id=record_id)

    def source(self, name: str) -> str:
        created: str = self("mutation($n: String!) { createSource(name: $n) { id } }", n=name)[
            "createSource"
        ]["id"]
        return created


def _id(node: dict[str, Any] | None) -> str | None:
    return node["id"] if node else None


def server_data(api: Api) -> dict[str, set[tuple[Any, ...]]]:
    """What the server holds, as rows of the copy's tables."""
    data: dict[str, Any] = {"sources": api(SOURCES)["sources"]}
    for field, nodes in NODES.items():  # newest first, page by page
        data[field], after = {"edges": []}, None
        while True:
            connection = api(LIST.format(field=field, nodes=nodes), after=after)[field]
            data[field]["edges"] += connection["edges"]
            after = connection["pageInfo"]["endCursor"]
            if not connection["pageInfo"]["hasNextPage"]:
                break

    def common(n: dict[str, Any]) -> tuple[Any, ...]:
        return (n["id"], _id(n["source"]), _id(n["owner"]), n["createdAt"], n["updatedAt"])

    return {
        "source": {
            (s["id"], s["name"], s["color"], s["position"], int(s["archived"])) for s in data["sources"]
        },
        "company": {(*common(e["node"]), e["node"]["name"]) for e in data["companies"]["edges"]},
        "person": {
            (*common(n), n["firstName"], n["lastName"], n["email"], _id(n["company"]))
            for n in (e["node"] for e in data["persons"]["edges"])
        },
        "deal": {
            (*common(n), n["title"], n["value"], n["status"], _id(n["company"]), _id(n["person"]))
            for n in (e["node"] for e in data["deals"]["edges"])
        },
    }


COPY_COLUMNS = {
    "source": "id, name, color, position, archived",
    "company": "id, source_id, owner_id, created_at, updated_at, name",
    "person": "id, source_id, owner_id, created_at, updated_at, first_name, last_name, email, company_id",
    "deal": "id, source_id, owner_id, created_at, updated_at, title, value, status, company_id, person_id",
}


def copy_data(path: Path) -> dict[str, set[tuple[Any, ...]]]:
    with sqlite3.connect(path) as db:
        return {
            table: set(db.execute(f"SELECT {columns} FROM {table}"))
            for table, columns in COPY_COLUMNS.items()
        }


def run_example(server: Server, token: str, copy: Path) -> str:
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), "--url", server.url, "--token", token, "--copy", str(copy)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_example_keeps_an_exact_copy_through_creates_updates_a_merge_and_deletes(
    database_url: str, tmp_path: Path
) -> None:
    token = run_cli(database_url, "create-account", "Copied", "--admin-email", "bi@copied.example").strip()
    copy = tmp_path / "bi_copy.sqlite3"
    with serving(database_url) as server, Api(server, token) as api:
        # given: records of every kind, more than one page of persons (the example pages by 200)
        api("mutation { updateSourceSettings(enabled: true) { enabled } }")
        web, fair, expo = api.source("Web"), api.source("Fair"), api.source("Expo")
        acme = api.create("company", name="Acme", sourceId=web)
        bolt = api.create("company", name="Bolt", sourceId=fair)
        people = [api.create("person", firstName=f"P{i}", companyId=acme if i % 2 else bolt,
                             sourceId=[web, fair, expo, None][i % 4]) for i in range(230)]  # fmt: skip
        deals = [api.create("deal", title=f"D{i}", value=f"{i}.50", companyId=acme, personId=people[i],
                            sourceId=fair if i % 2 else None) for i in range(6)]  # fmt: skip
        # when: the first run
        first = run_example(server, token, copy)
        # then
        assert first.startswith("full pull: ")
        assert copy_data(copy) == server_data(api)

        # given: creates, updates, a merge and deletes
        api.create("person", firstName="Newcomer", companyId=bolt, sourceId=expo)
        api.create("deal", title="Fresh", value="99.99", status="WON")
        api.update("company", bolt, name="Bolt & Sons")
        api.update("person", people[3], email="p3@example.com", sourceId=None)
        api.update("deal", deals[0], status="LOST", value="1000")
        merge = "mutation($ids: [ID!]!, $into: ID!) { mergeSources(ids: $ids, into: $into, confirm: true) {"
        api(merge + " mergedIds } }", ids=[fair], into=web)
        api('mutation($id: ID!) { updateSource(id: $id, input: {name: "Trade fair"}) { id } }', id=expo)
        api.delete("company", acme)  # its persons and deals stay, without the company
        api.delete("person", people[5])  # deal 5's person goes
        api.delete("deal", deals[1])
        # when: the next run
        second = run_example(server, token, copy)
        # then: the copy is the server's data again, from the changes alone
        assert second.startswith("incremental pull: ")
        assert "3 deleted" in second
        assert copy_data(copy) == server_data(api)
        # and a run with nothing new applies nothing
        third = run_example(server, token, copy)
        assert third == "incremental pull: 0 companies, 0 persons, 0 deals, 0 deleted\n"
        assert copy_data(copy) == server_data(api)
