"""Database configuration: one URL from the environment, for the app, the CLI and Tortoise's CLI."""

from __future__ import annotations

import os
from typing import Any

from tortoise.backends.base.config_generator import expand_db_url

DEFAULT_DATABASE_URL = "sqlite://tributary.sqlite3"


def database_url() -> str:
    return os.environ.get("TRIBUTARY_DATABASE_URL") or DEFAULT_DATABASE_URL


def tortoise_config(url: str | None = None) -> dict[str, Any]:
    connection = expand_db_url(url or database_url())
    if connection["engine"] == "tortoise.backends.sqlite":
        # a CLI command next to a running server waits for the write lock instead of failing
        connection["credentials"].setdefault("busy_timeout", 5000)
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
