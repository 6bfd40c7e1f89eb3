"""Upgrading a v1 database: existing sources keep the order v1 showed, and get palette colours."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from tortoise.context import TortoiseContext
from tortoise.migrations.api.migrate import migrate

from models import Account, Source
from models.config import tortoise_config
from resolvers.palette import PALETTE
from resolvers.sources import list_sources
from tests.old_rows import Row, insert_as_of, query

V1 = "models.0002_owner_in_source_indexes"
MANY = (
    "beta, Alpha, Ärzte, gamma, Zulu, Webinar, Referral, Trade fair 2025, Cold call, Partner, "
    "Newsletter, LinkedIn, Google Ads, Events"
)
NAMES = {  # account -> source names, inserted in this (not alphabetical) order; 14 cycle the palette
    "11111111-1111-1111-1111-111111111111": MANY.split(", "),
    "22222222-2222-2222-2222-222222222222": ["Website", "Fair"],
}


async def test_upgrade_keeps_v1_order_as_positions_and_gives_palette_colours(empty_url: str) -> None:
    # given: a v1 database with sources in two accounts
    at = datetime(2026, 1, 1, tzinfo=UTC)
    rows: list[Row] = []
    for n, (account_id, names) in enumerate(NAMES.items()):
        rows.append(("account", {"id": account_id, "name": f"Account {n}", "sources_enabled": False,
                                 "inherit_from_company": False, "created_at": at}))  # fmt: skip
        rows += [
            (
                "source",
                {
                    "id": str(uuid.uuid4()),
                    "account_id": account_id,
                    "name": name,
                    "name_key": name.casefold(),
                    "created_at": at,
                },
            )
            for name in names
        ]
    await insert_as_of(empty_url, V1, rows)
    v1_order = {
        account_id: [
            r["name"]
            for r in await query(
                empty_url, f"SELECT name FROM source WHERE account_id = '{account_id}' ORDER BY name_key, id"
            )
        ]
        for account_id in NAMES
    }
    # when
    async with TortoiseContext():
        await migrate(config=tortoise_config(empty_url))
    # then
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(empty_url))
        for account_id in NAMES:
            listed = await list_sources(account=await Account.get(id=account_id), include_archived=True)
            assert [(s.name, s.position, s.color, s.archived_at) for s in listed] == [
                (name, i, PALETTE[i % len(PALETTE)], None) for i, name in enumerate(v1_order[account_id])
            ]
        assert await Source.filter(archived_at__isnull=False).count() == 0
