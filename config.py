"""Everything Tributary reads from the environment, in one place (README, "Configuration")."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite://tributary.sqlite3"

_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Settings:
    """The service's switches. `Settings()` holds the defaults; `from_env()` reads the environment."""

    database_url: str = DEFAULT_DATABASE_URL
    introspection: bool = True  # off: no introspection, no GraphiQL, no field suggestions
    cors_origins: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        origins = env.get("TRIBUTARY_CORS_ORIGINS", "")
        return cls(
            database_url=env.get("TRIBUTARY_DATABASE_URL") or DEFAULT_DATABASE_URL,
            introspection=env.get("TRIBUTARY_INTROSPECTION", "1").strip().lower() not in _FALSE,
            cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
        )


def database_url() -> str:
    return Settings.from_env().database_url
