"""Upgrading to history without source keys (migration 0009): every entry is kept as it was,
the history index and the id sequence with it, no foreign key to `source` is left, and
deleting a source then leaves the entries that name it as they are: their names readable,
`from`/`to` null like a nulled key read before, the ids still in the row."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from models.config import apply_migrations
from resolvers.auth import hash_token
from server import create_app
from tests.conftest import POSTGRES_URL
from tests.old_rows import insert_as_of, query

BEFORE = "models.0008_owner_first_source_indexes"
TOKEN = "trb_before_history_keys"
AT = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
HISTORY = """query ($id: ID!) { node(id: $id) { ... on Person {
  sourceHistory { edges { node { at reason from { id } fromName to { id } toName } } } } } }"""
DELETE = """mutation ($id: ID!) { deleteSource(id: $id, confirm: true) { deletedId } }"""


async def fill_as_before(url: str) -> dict[str, str]:
    """An account with two sources and a person edited from one to the other, as 0008 stored it."""
    ids = {name: str(uuid.uuid4()) for name in ("account", "user", "web", "fair", "person")}
    rows: list[tuple[str, dict[str, Any]]] = [
        ("account", {"id": ids["account"], "name": "Old", "sources_enabled": True,
                     "inherit_from_company": True, "created_at": AT}),
        ("app_user", {"id": ids["user"], "account_id": ids["account"], "name": "Admin",
                      "email": "a@old.example", "email_key": "a@old.example", "role": "ADMIN",
                      "created_at": AT}),
        ("api_token", {"id": str(uuid.uuid4()), "user_id": ids["user"], "token_hash": hash_token(TOKEN),
                       "created_at": AT}),
        ("source", {"id": ids["web"], "account_id": ids["account"], "name": "Website", "name_key": "website",
                    "color": "#332288", "position": 0, "created_at": AT}),
        ("source", {"id": ids["fair"], "account_id": ids["account"], "name": "Fair", "name_key": "fair",
                    "color": "#117733", "position": 1, "created_at": AT}),
        ("person", {"id": ids["person"], "account_id": ids["account"], "owner_id": ids["user"],
                    "first_name": "Ada", "last_name": "", "source_id": ids["fair"], "source_origin": "CHOSEN",
                    "first_source_id": ids["web"], "first_source_at": AT, "created_at": AT,
                    "updated_at": AT}),
        ("source_change", {"account_id": ids["account"], "record_kind": "PERSON", "record_id": ids["person"],
                           "at": AT, "reason": "EDITED", "by_id": ids["user"], "from_source_id": ids["web"],
                           "from_name": "Website", "to_source_id": ids["fair"], "to_name": "Fair"}),
    ]  # fmt: skip
    newest = {
        "account_id": ids["account"],
        "record_kind": "PERSON",
        "record_id": ids["person"],
        "at": AT,
        "reason": "EDITED",
        "by_id": ids["user"],
        "to_source_id": ids["web"],
        "to_name": "Website",
    }
    await insert_as_of(url, BEFORE, [*rows, ("source_change", newest)])  # fmt: skip
    # the newest entry deleted (as deleting a record deletes its entries): its id is used up
    await query(url, "DELETE FROM source_change WHERE id = (SELECT MAX(id) FROM source_change)")
    return ids


async def keys_to_sources(url: str) -> list[dict[str, Any]]:
    """The foreign keys of source_change that point at source."""
    if POSTGRES_URL:
        return await query(
            url,
            "SELECT conname FROM pg_constraint WHERE conrelid = 'source_change'::regclass "
            "AND contype = 'f' AND confrelid = 'source'::regclass",
        )
    return [k for k in await query(url, "PRAGMA foreign_key_list('source_change')") if k["table"] == "source"]


async def history_indexes(url: str) -> set[str]:
    if POSTGRES_URL:
        sql = "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'source_change'"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'source_change'"
    return {row["name"] for row in await query(url, sql)}


async def test_upgrade_keeps_every_entry_and_deleting_its_source_leaves_the_entry_readable(
    empty_url: str,
) -> None:
    # given
    ids = await fill_as_before(empty_url)
    assert len(await keys_to_sources(empty_url)) == 2
    # when
    await apply_migrations(empty_url)
    # then: no key to source; the history index survived the rebuild, the two key indexes are gone
    assert await keys_to_sources(empty_url) == []
    indexes = await history_indexes(empty_url)
    assert "source_change_history" in indexes
    assert not indexes & {"source_change_from_fk", "source_change_to_fk"}
    # and through the front door: the entry as it was, then after both its sources are deleted
    app = create_app(empty_url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://tributary.test") as client:

            async def gql(query: str, **variables: str) -> dict[str, Any]:
                response = await client.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers={"Authorization": f"Bearer {TOKEN}"},
                )
                body: dict[str, Any] = response.json()
                assert "errors" not in body, body
                return body["data"]

            before = await gql(HISTORY, id=ids["person"])
            await gql(DELETE, id=ids["web"])
            await gql(DELETE, id=ids["fair"])
            after = await gql(HISTORY, id=ids["person"])
    entry = {"at": AT.isoformat(), "reason": "EDITED", "fromName": "Website", "toName": "Fair"}
    assert before["node"]["sourceHistory"]["edges"] == [
        {"node": {**entry, "from": {"id": ids["web"]}, "to": {"id": ids["fair"]}}}
    ]
    deleted, edited = after["node"]["sourceHistory"]["edges"]  # newest first
    assert edited == {"node": {**entry, "from": None, "to": None}}
    assert {k: deleted["node"][k] for k in ("reason", "from", "fromName", "to")} == {
        "reason": "DELETED", "from": None, "fromName": "Fair", "to": None
    }  # fmt: skip
    # the rows keep the deleted sources' ids, and new entries continue the id sequence
    rows = await query(
        empty_url, "SELECT id, reason, from_source_id, to_source_id FROM source_change ORDER BY id"
    )
    assert [(r["id"], r["reason"]) for r in rows] == [(1, "EDITED"), (3, "DELETED")]
    assert [str(rows[0]["from_source_id"]), str(rows[0]["to_source_id"])] == [ids["web"], ids["fair"]]
