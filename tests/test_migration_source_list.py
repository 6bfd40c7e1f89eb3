"""Upgrading a v1 database: existing sources keep the order v1 showed, and get palette colours."""

from __future__ import annotations

import uuid

from tortoise.connection import connections
from tortoise.context import TortoiseContext
from tortoise.migrations.api.migrate import migrate

from models import Account, Source
from models.config import tortoise_config
from resolvers.palette import PALETTE
from resolvers.sources import list_sources

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
    config = tortoise_config(empty_url)
    async with TortoiseContext():
        await migrate(config=config, target=V1)
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        db = connections.get("default")
        for n, (account_id, names) in enumerate(NAMES.items()):
            await db.execute_script(
                "INSERT INTO account (id, name, sources_enabled, inherit_from_company, created_at) "
                f"VALUES ('{account_id}', 'Account {n}', FALSE, FALSE, '2026-01-01T00:00:00+00:00')"
            )
            for name in names:
                await db.execute_script(
                    "INSERT INTO source (id, account_id, name, name_key, created_at) VALUES "
                    f"('{uuid.uuid4()}', '{account_id}', '{name}', '{name.casefold()}', "
                    "'2026-01-01T00:00:00+00:00')"
                )
        v1_order = {
            account_id: [
                r["name"]
                for r in await db.execute_query_dict(
                    f"SELECT name FROM source WHERE account_id = '{account_id}' ORDER BY name_key, id"
                )
            ]
            for account_id in NAMES
        }
    # when
    async with TortoiseContext():
        await migrate(config=config)
    # then
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        for account_id in NAMES:
            listed = await list_sources(account=await Account.get(id=account_id), include_archived=True)
            assert [(s.name, s.position, s.color, s.archived_at) for s in listed] == [
                (name, i, PALETTE[i % len(PALETTE)], None) for i, name in enumerate(v1_order[account_id])
            ]
        assert await Source.filter(archived_at__isnull=False).count() == 0
