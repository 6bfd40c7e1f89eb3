"""Database configuration: one URL from the environment, for the app, the CLI and Tortoise's CLI."""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext
from tortoise.migrations.api.migrate import migrate as migrate_api

from config import database_url


async def keep_session(connection: object) -> None:
    """asyncpg's pool reset, minus the round trip: Tributary leaves nothing on a session to reset.

    asyncpg still rolls back an unfinished transaction before calling this; its default reset
    would also send `RESET ALL`, `CLOSE ALL`, `UNLISTEN *` and an advisory-lock release on every
    release to the pool, i.e. once per query outside a transaction. The service never sets
    session variables, never LISTENs, holds no advisory locks and no cursors outside a
    transaction, so there is nothing for them to undo.
    """


def tortoise_config(url: str | None = None) -> dict[str, Any]:
    connection = expand_db_url(url or database_url())
    if connection["engine"] == "tortoise.backends.sqlite":
        # a CLI command next to a running server waits for the write lock instead of failing
        connection["credentials"].setdefault("busy_timeout", 5000)
        # 16 KiB pages for a new database: a bulk move commits a quarter as many pages. An
        # existing one keeps its size (changing it takes a VACUUM outside WAL mode: README).
        # First: it must come before journal_mode=WAL, which fixes the size of a new file.
        connection["credentials"] = {"page_size": 16384, **connection["credentials"]}
    elif connection["engine"] == "tortoise.backends.asyncpg":
        connection["credentials"]["reset"] = keep_session  # passed on to asyncpg.create_pool
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": ["models"],
                "migrations": "models.migrations",
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


# read by `tortoise makemigrations` / `tortoise migrate` (see [tool.tortoise] in pyproject.toml)
TORTOISE_ORM = tortoise_config()


async def apply_migrations(url: str | None = None) -> None:
    """Applies Tortoise's migrations (models/migrations/) to the database at `url`."""
    async with TortoiseContext():
        await migrate_api(config=tortoise_config(url))
