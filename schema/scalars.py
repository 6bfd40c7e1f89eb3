"""Conversions at the GraphQL edge that every domain needs."""

from __future__ import annotations

from datetime import UTC, datetime

from strawberry.types.scalar import ScalarDefinition


def parse_datetime(value: object) -> datetime:
    """ISO-8601 in, timezone-aware out; a client's typo gets a sentence, not a parser's internals."""
    if isinstance(value, str):
        try:
            return utc(datetime.fromisoformat(value))
        except ValueError:
            pass
    raise ValueError("DateTime expects an ISO-8601 string such as 2026-01-31T09:30:00Z")


# replaces Strawberry's DateTime: same name and serialisation, a clean error, naive means UTC
DateTime = ScalarDefinition(
    name="DateTime",
    description="An ISO-8601 date-time; answers are in UTC, inputs without an offset are taken as UTC.",
    specified_by_url=None,
    serialize=lambda value: value.isoformat(),
    parse_value=parse_datetime,
    parse_literal=None,
    origin=datetime,
)


def utc(value: datetime) -> datetime:
    """A DateTime without an offset is taken as UTC (the contract speaks UTC only)."""
    if value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
