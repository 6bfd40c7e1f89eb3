"""Migration 0004 on a database that already holds rows: folded search texts are backfilled
(in Python: SQL's lower() folds neither "Ö" on SQLite nor "ß" anywhere) and keys that outgrew
KEY_MAX are re-keyed, so old rows behave like new ones."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime

import httpx

from models.config import apply_migrations
from resolvers.auth import hash_token
from resolvers.text import fold
from server import create_app
from tests.old_rows import insert_as_of

POSTGRES_URL = os.environ.get("TRIBUTARY_TEST_POSTGRES_URL")
BEFORE = "models.0002_owner_in_source_indexes"
TOKEN = "trb_migrated"
LONG_NAME = "\ufdfa" * 20  # its key (360 letters) fitted VARCHAR(400), but exceeds KEY_MAX


async def fill_as_before(url: str) -> None:
    """Rows as the code before 0004 wrote them: no folded texts, keys as long as they came."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    account, user = str(uuid.uuid4()), str(uuid.uuid4())
    rows = [
        ("account", {"id": account, "name": "Old", "sources_enabled": True, "inherit_from_company": False}),
        ("app_user", {"id": user, "account_id": account, "name": "Admin", "email": "a@old.example",
                      "email_key": "a@old.example", "role": "ADMIN"}),
        ("api_token", {"id": str(uuid.uuid4()), "user_id": user, "token_hash": hash_token(TOKEN)}),
        ("source", {"id": str(uuid.uuid4()), "account_id": account, "name": LONG_NAME,
                    "name_key": fold(LONG_NAME)}),
        ("company", {"id": str(uuid.uuid4()), "account_id": account, "name": "Öko Bau", "owner_id": user,
                     "updated_at": now}),
        ("person", {"id": str(uuid.uuid4()), "account_id": account, "first_name": "Jürgen",
                    "last_name": "Straße", "email": None, "owner_id": user, "updated_at": now}),
        ("deal", {"id": str(uuid.uuid4()), "account_id": account, "title": "Łódź", "value_cents": 100,
                  "status": "OPEN", "owner_id": user, "updated_at": now}),
    ]  # fmt: skip
    await insert_as_of(url, BEFORE, [(table, {"created_at": now, **values}) for table, values in rows])


async def test_migrating_old_rows_makes_them_searchable_and_their_keys_bounded(empty_url: str) -> None:
    # given
    await fill_as_before(empty_url)
    # when
    await apply_migrations(empty_url)
    # then: through the front door
    app = create_app(empty_url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://tributary.test") as client:

            async def post(query: str, **variables: object) -> dict:
                response = await client.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers={"Authorization": f"Bearer {TOKEN}"},
                )
                return response.json()

            found = await post("""{
              companies(filter: {search: "öko"}) { totalCount }
              persons(filter: {search: "STRASSE"}) { totalCount }
              jurgen: persons(filter: {search: "JÜRG"}) { totalCount }
              deals(filter: {search: "ŁÓDŹ"}) { totalCount } }""")
            duplicate = await post("mutation($n: String!) { createSource(name: $n) { id } }", n=LONG_NAME)
    assert found["data"] == {
        "companies": {"totalCount": 1},
        "persons": {"totalCount": 1},
        "jurgen": {"totalCount": 1},
        "deals": {"totalCount": 1},
    }
    assert duplicate["errors"][0]["extensions"] == {"code": "CONFLICT", "field": "name"}
