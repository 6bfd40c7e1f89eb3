"""Everything Tributary reads from the environment, in one place (README, "Configuration")."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

DEFAULT_DATABASE_URL = "sqlite://tributary.sqlite3"

_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Settings:
    """The service's switches. `Settings()` holds the defaults; `from_env()` reads the environment."""

    database_url: str = DEFAULT_DATABASE_URL
    introspection: bool = True  # off: no introspection, no GraphiQL, no field suggestions
    cors_origins: tuple[str, ...] = ()
    access_log: bool = False  # uvicorn's line per request: off, it cost ~3% of a small request's CPU
    # fair use (README, "Operating Tributary"): one client cannot take the service from the others
    max_cost: int = 10_000  # points per document (schema/cost.py)
    request_timeout: float = 10.0  # seconds of work per request, database statements included
    # seconds for a document that is one deleteSource or mergeSources (admins only, one at a time
    # per account), from its start once the move begins: a large one outlasts 10 s
    bulk_timeout: float = 120.0
    max_in_flight: int = 8  # requests of one token being answered at once (more get 429)
    max_running_per_account: int = 2  # requests of one account doing their work at once (more wait)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        origins = env.get("TRIBUTARY_CORS_ORIGINS", "")
        return cls(
            database_url=env.get("TRIBUTARY_DATABASE_URL") or DEFAULT_DATABASE_URL,
            introspection=env.get("TRIBUTARY_INTROSPECTION", "1").strip().lower() not in _FALSE,
            cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
            access_log=env.get("TRIBUTARY_ACCESS_LOG", "0").strip().lower() not in {*_FALSE, ""},
            max_cost=_number(env, "TRIBUTARY_MAX_COST", cls.max_cost, int),
            request_timeout=_number(env, "TRIBUTARY_REQUEST_TIMEOUT", cls.request_timeout, float),
            bulk_timeout=_number(env, "TRIBUTARY_BULK_TIMEOUT", cls.bulk_timeout, float),
            max_in_flight=_number(env, "TRIBUTARY_MAX_IN_FLIGHT", cls.max_in_flight, int),
            max_running_per_account=_number(
                env, "TRIBUTARY_MAX_RUNNING_PER_ACCOUNT", cls.max_running_per_account, int
            ),
        )


N = TypeVar("N", int, float)


def _number(env: Mapping[str, str], name: str, default: N, kind: type[N]) -> N:
    """A positive number from the environment; a malformed one stops the start with its name."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SystemExit(f"tributary: {name} must be a positive number, not {raw!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise SystemExit(f"tributary: {name} must be a positive number, not {raw!r}")
    return value


def database_url() -> str:
    return Settings.from_env().database_url
