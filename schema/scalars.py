"""Conversions at the GraphQL edge that every domain needs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from strawberry.types.maybe import Some

from resolvers.inputs import OMITTED


def utc(value: datetime | None) -> datetime | None:
    """A DateTime without an offset is taken as UTC (the contract speaks UTC only)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def given(value: Some[Any] | None) -> Any:
    """strawberry.Maybe -> the resolvers' "left out" marker (None inside Some is an explicit null).

    Typed loosely on purpose: `Some` is invariant, so `Some[ID | None]` would not fit `Some[str | None]`.
    """
    return OMITTED if value is None else value.value
