"""Keyset pagination, newest first: a page deep in the list costs what the first page costs."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar
from uuid import UUID

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from resolvers.errors import BadUserInput
from resolvers.times import parse_instant

M = TypeVar("M", bound=Model)

FIRST_DEFAULT = 50
FIRST_MAX = 200


@dataclass
class Page(Generic[M]):
    items: list[M]
    has_next_page: bool
    _filtered: QuerySet[M]

    async def total_count(self) -> int:
        """Counted only when a client asks for it."""
        return await self._filtered.count()


def cursor_of(record: Model) -> str:
    return encode_cursor(record.created_at, record.pk)  # type: ignore[attr-defined]


def encode_cursor(created_at: datetime, pk: object) -> str:
    raw = json.dumps([created_at.isoformat(), str(pk)])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


CURSOR_MAX = 200  # ours are about 100 characters


def _decode(cursor: str) -> tuple[datetime, UUID]:
    """A cursor is base64url of `["<created_at>", "<id>"]`; anything else is BAD_USER_INPUT."""
    try:
        if len(cursor) > CURSOR_MAX:
            raise ValueError("too long")
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not (isinstance(parts, list) and len(parts) == 2 and all(isinstance(p, str) for p in parts)):
            raise ValueError("not a pair of strings")
        created, pk = parts
        return parse_instant(created), UUID(pk)
    except (ValueError, binascii.Error, RecursionError):  # JSON and Unicode errors are ValueErrors
        raise BadUserInput("after is not a cursor of this list", field="after") from None


async def paginate(filtered: QuerySet[M], *, first: int | None, after: str | None) -> Page[M]:
    first = FIRST_DEFAULT if first is None else first
    if not 1 <= first <= FIRST_MAX:
        raise BadUserInput(f"first must be between 1 and {FIRST_MAX}", field="first")
    rows = await keyset_page(filtered, first=first, after=after)
    return Page(items=rows[:first], has_next_page=len(rows) > first, _filtered=filtered)


def keyset_page(filtered: QuerySet[M], *, first: int, after: str | None) -> QuerySet[M]:
    """Up to first + 1 rows after the cursor, newest first (the extra row tells hasNextPage)."""
    page = filtered
    if after is not None:
        created_at, pk = _decode(after)
        # "created_at <= c" lets the index seek straight to the cursor; the OR only sorts out ties.
        # (Written as one OR of both cases, SQLite scans from the newest row instead.)
        page = page.filter(Q(created_at__lte=created_at), Q(created_at__lt=created_at) | Q(id__lt=pk))
    return page.order_by("-created_at", "-id").limit(first + 1)
