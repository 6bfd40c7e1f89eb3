"""Upgrading to attribution (migration 0006): existing records get what is known of it.

A record with a source: that source as its first, dated at its creation, origin CHOSEN, and one
CREATED history entry at its creation (no `by`: who set it was never recorded). A record
without a source: none of it. Statistics by first touch then equal the current ones.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from models.config import apply_migrations
from resolvers.auth import hash_token
from server import create_app
from tests.old_rows import insert_as_of

BEFORE = "models.0005_index_for_source_deletes"
TOKEN = "trb_before_attribution"
CREATED = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
ATTRIBUTION = """sourceOrigin firstSource { id } firstSourceAt
  sourceHistory { totalCount edges { node { at reason by { id } from { id } fromName to { id } toName } } }"""
READ = f"""{{
  companies(first: 5) {{ edges {{ node {{ name {ATTRIBUTION} }} }} }}
  persons(first: 5) {{ edges {{ node {{ firstName {ATTRIBUTION} }} }} }}
  deals(first: 5) {{ edges {{ node {{ title {ATTRIBUTION} }} }} }}
  current: sourceStats {{ label count deals {{ count totalValue }} }}
  firstTouch: sourceStats(attribution: FIRST_TOUCH) {{ label count deals {{ count totalValue }} }} }}"""


async def fill_as_before(url: str) -> dict[str, str]:
    """Rows as the code before 0006 wrote them; returns the source ids by name."""
    account, user = str(uuid.uuid4()), str(uuid.uuid4())
    web, fair = str(uuid.uuid4()), str(uuid.uuid4())
    company = str(uuid.uuid4())
    record = {"account_id": account, "owner_id": user, "created_at": CREATED, "updated_at": CREATED}
    rows: list[tuple[str, dict[str, Any]]] = [
        ("account", {"id": account, "name": "Old", "sources_enabled": True, "inherit_from_company": True,
                     "created_at": CREATED}),
        ("app_user", {"id": user, "account_id": account, "name": "Admin", "email": "a@old.example",
                      "email_key": "a@old.example", "role": "ADMIN", "created_at": CREATED}),
        ("api_token", {"id": str(uuid.uuid4()), "user_id": user, "token_hash": hash_token(TOKEN),
                       "created_at": CREATED}),
        ("source", {"id": web, "account_id": account, "name": "Website", "name_key": "website",
                    "created_at": CREATED}),
        ("source", {"id": fair, "account_id": account, "name": "Fair", "name_key": "fair",
                    "created_at": CREATED}),
        ("company", {"id": company, "name": "Acme", "source_id": web, **record}),
        ("company", {"id": str(uuid.uuid4()), "name": "Bare", "source_id": None, **record}),
        ("person", {"id": str(uuid.uuid4()), "first_name": "Ada", "last_name": "", "source_id": fair,
                    "company_id": company, **record}),
        ("person", {"id": str(uuid.uuid4()), "first_name": "Bob", "last_name": "", "source_id": None,
                    **record}),
        ("deal", {"id": str(uuid.uuid4()), "title": "Big", "value_cents": 100_00, "status": "WON",
                  "source_id": web, **record}),
    ]  # fmt: skip
    await insert_as_of(url, BEFORE, rows)
    return {"Website": web, "Fair": fair}


def created_with(source_id: str, name: str) -> dict[str, Any]:
    return {
        "sourceOrigin": "CHOSEN",
        "firstSource": {"id": source_id},
        "firstSourceAt": CREATED.isoformat(),
        "sourceHistory": {
            "totalCount": 1,
            "edges": [{"node": {"at": CREATED.isoformat(), "reason": "CREATED", "by": None, "from": None,
                                "fromName": None, "to": {"id": source_id}, "toName": name}}],
        },
    }  # fmt: skip


NOTHING = {
    "sourceOrigin": None,
    "firstSource": None,
    "firstSourceAt": None,
    "sourceHistory": {"totalCount": 0, "edges": []},
}


async def test_upgrade_fills_first_source_origin_and_a_created_entry(empty_url: str) -> None:
    # given
    ids = await fill_as_before(empty_url)
    # when
    await apply_migrations(empty_url)
    # then: through the front door
    app = create_app(empty_url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://tributary.test") as client:
            response = await client.post(
                "/graphql", json={"query": READ}, headers={"Authorization": f"Bearer {TOKEN}"}
            )
    body = response.json()
    assert "errors" not in body, body
    data = body["data"]

    def by_name(field: str, name_field: str) -> dict[str, Any]:
        return {e["node"].pop(name_field): e["node"] for e in data[field]["edges"]}

    assert by_name("companies", "name") == {
        "Acme": created_with(ids["Website"], "Website"),
        "Bare": NOTHING,
    }
    assert by_name("persons", "firstName") == {"Ada": created_with(ids["Fair"], "Fair"), "Bob": NOTHING}
    assert by_name("deals", "title") == {"Big": created_with(ids["Website"], "Website")}
    assert data["firstTouch"] == data["current"]
