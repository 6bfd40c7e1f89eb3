"""Ids are UUIDs; anything else cannot exist, so it is NOT_FOUND rather than a format error."""

from __future__ import annotations

from uuid import UUID

from resolvers.errors import BadUserInput, NotFound


def parse_id(raw: str | UUID, *, what: str) -> UUID:
    if isinstance(raw, UUID):
        return raw
    try:
        return UUID(raw)
    except (ValueError, AttributeError, TypeError):
        raise NotFound(f"{what} not found") from None


MAX_IDS = 200


def parse_ids(raw: list[str], *, field: str) -> list[UUID]:
    """For filters: malformed ids simply match nothing; the list itself is bounded."""
    if len(raw) > MAX_IDS:
        raise BadUserInput(f"{field} takes at most {MAX_IDS} ids", field=field)
    ids = []
    for value in raw:
        try:
            ids.append(UUID(value))
        except (ValueError, AttributeError, TypeError):
            continue
    return ids


def as_uuid(value: object) -> UUID:
    """Foreign-key columns come back as UUID on PostgreSQL and as text on SQLite."""
    return value if isinstance(value, UUID) else UUID(str(value))


def as_uuid_or_none(value: object) -> UUID | None:
    """A nullable foreign-key column's value (see `as_uuid`)."""
    return None if value is None else as_uuid(value)
