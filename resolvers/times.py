"""Instants: every date-time is compared and stored in UTC, whatever offset a client wrote."""

from __future__ import annotations

from datetime import UTC, datetime


def utc(value: datetime) -> datetime:
    """The same instant in UTC; a date-time without an offset is taken as UTC.

    "2026-11-27T11:30:41+01:00" becomes "2026-11-27T10:30:41+00:00": SQLite compares the
    stored text, so a bound with another offset would compare wrongly there.
    """
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_instant(text: str) -> datetime:
    """ISO-8601 text as an instant in UTC; ValueError for anything else, including an instant
    outside the years 1-9999 once moved to UTC ("0001-01-01T00:00:00+01:00")."""
    try:
        return utc(datetime.fromisoformat(text))
    except OverflowError:
        raise ValueError("date-time out of range") from None
