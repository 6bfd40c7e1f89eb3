"""Keyset pagination in both directions: a page deep in the list costs what the first page costs.

A list is ordered by (column, id), newest first by default. `first`/`after` read forward from a
cursor, `last`/`before` read backward towards the start; `after` and `before` may bound one page
together. Cursors are opaque to clients: base64url of `[value, id]`, plus the ordering's tag for
every order but newest first (`[value, id, tag]`), so a cursor of one order is refused by another.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar
from uuid import UUID

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from resolvers.errors import BadUserInput
from resolvers.settled import settled_q
from resolvers.times import parse_instant

M = TypeVar("M", bound=Model)

FIRST_DEFAULT = 50
FIRST_MAX = 200
CURSOR_MAX = 200  # characters; a real cursor is about 90


@dataclass(frozen=True)
class Ordering:
    """The order of a list: by `column` then id, both descending or both ascending. `tag` marks
    its cursors (empty for newest first, whose cursors predate tags); `pk` reads the id back
    from a cursor (UUIDs for records, integers for history entries). A `settled` list is read to
    be resumed from its last cursor: it leaves out what writes in flight may precede
    (resolvers/settled.py)."""

    column: str
    descending: bool
    tag: str = ""
    settled: bool = False
    pk: Callable[[str], Any] = UUID


NEWEST_FIRST = Ordering("created_at", descending=True)
# sync: a record changed after it was read comes again later, after the cursor a client kept
UPDATED_FIRST_TO_LAST = Ordering("updated_at", descending=False, tag="updated", settled=True)


class RecordOrder(StrEnum):
    """The orders a list of companies, persons or deals can be read in."""

    NEWEST_FIRST = "NEWEST_FIRST"
    UPDATED_FIRST_TO_LAST = "UPDATED_FIRST_TO_LAST"

    @property
    def ordering(self) -> Ordering:
        return UPDATED_FIRST_TO_LAST if self is RecordOrder.UPDATED_FIRST_TO_LAST else NEWEST_FIRST


@dataclass(frozen=True)
class PageRequest:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None
    default: int = FIRST_DEFAULT  # the size when neither first nor last is given

    @property
    def backward(self) -> bool:
        return self.last is not None

    def size(self) -> int:
        """`first` (null means the default) or `last`; 1..FIRST_MAX, never both."""
        if self.first is not None and self.last is not None:
            raise BadUserInput("pass either first or last, not both", field="last")
        name, size = ("last", self.last) if self.last is not None else ("first", self.first)
        size = self.default if size is None else size
        if not 1 <= size <= FIRST_MAX:
            raise BadUserInput(f"{name} must be between 1 and {FIRST_MAX}", field=name)
        return size


@dataclass
class Page(Generic[M]):
    items: list[M]
    ordering: Ordering
    _filtered: QuerySet[M]
    _request: PageRequest = field(default_factory=PageRequest)
    _more: bool = False  # one row beyond the page was found in the reading direction
    _count: Callable[[], Awaitable[int]] | None = None  # a batched count, when there is one

    def cursor(self, record: M) -> str:
        return encode_cursor(getattr(record, self.ordering.column), record.pk, tag=self.ordering.tag)

    async def total_count(self) -> int:
        """Counted only when a client asks for it."""
        if self._count is not None:
            return await self._count()
        return await self._filtered.count()

    async def has_next_page(self) -> bool:
        if not self._request.backward:
            return self._more
        return await self._beyond(self._request.before, past=True)

    async def has_previous_page(self) -> bool:
        if self._request.backward:
            return self._more
        return await self._beyond(self._request.after, past=False)

    async def _beyond(self, cursor: str | None, *, past: bool) -> bool:
        """Whether a row exists on the far side of the cursor that bounded this page (asked lazily)."""
        if cursor is None:
            return False
        value, pk = decode_cursor(
            cursor, field="before" if past else "after", tag=self.ordering.tag, pk=self.ordering.pk
        )
        bound = _not_before(self.ordering, value, pk) if past else _not_past(self.ordering, value, pk)
        return await self._filtered.filter(bound).exists()


def encode_cursor(value: datetime, pk: object, *, tag: str = "") -> str:
    parts = [value.isoformat(), str(pk), *([tag] if tag else [])]
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


def decode_cursor(
    cursor: str, *, field: str, tag: str = "", pk: Callable[[str], Any] = UUID
) -> tuple[datetime, Any]:
    """A cursor this service wrote for an ordering tagged `tag`, or BAD_USER_INPUT naming the
    argument: never a crash. `pk` parses the id part (a UUID, or an int for history entries)."""
    try:
        if not cursor or len(cursor) > CURSOR_MAX:
            raise ValueError("empty or too long")
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not (isinstance(parts, list) and len(parts) in (2, 3) and all(isinstance(p, str) for p in parts)):
            raise ValueError("not two or three strings")
        value, key, *rest = parts
        parsed = parse_instant(value), pk(key)
    except (ValueError, binascii.Error, RecursionError):  # JSON and Unicode errors are ValueErrors
        raise BadUserInput(f"{field} is not a cursor of this list", field=field) from None
    if rest != ([tag] if tag else []):
        raise BadUserInput(f"{field} is a cursor of another order of this list (orderBy)", field=field)
    return parsed


async def paginate(
    filtered: QuerySet[M], *, request: PageRequest, ordering: Ordering = NEWEST_FIRST
) -> Page[M]:
    if ordering.settled:
        filtered = filtered.filter(await settled_q(ordering.column))
    rows = await keyset_page(filtered, request=request, ordering=ordering)
    return page_of(rows, filtered=filtered, request=request, ordering=ordering)


def page_of(
    rows: list[M],
    *,
    filtered: QuerySet[M],
    request: PageRequest,
    ordering: Ordering,
    count: Callable[[], Awaitable[int]] | None = None,
) -> Page[M]:
    """The page of up to size + 1 rows read in reading order (by `keyset_page`, or a batch of
    them); `filtered` is the whole list, for the counts and the far sides of the cursors."""
    size = request.size()
    items = rows[:size]
    if request.backward:
        items.reverse()
    return Page(items, ordering, filtered, request, _more=len(rows) > size, _count=count)


def keyset_page(filtered: QuerySet[M], *, request: PageRequest, ordering: Ordering) -> QuerySet[M]:
    """Up to size + 1 rows inside the cursors, in reading order (the extra row tells if there is more).

    Backward pages are read in reverse order from `before` and turned around by `paginate`.
    """
    page = filtered
    for bound in cursor_bounds(request, ordering):
        page = page.filter(bound)
    column, reverse = ordering.column, reading_descending(request, ordering)
    order = (f"-{column}", "-id") if reverse else (column, "id")
    return page.order_by(*order).limit(request.size() + 1)


def cursor_bounds(request: PageRequest, ordering: Ordering) -> list[Q]:
    """What `after` and `before` leave of the list (BAD_USER_INPUT for a cursor not ours)."""
    bounds = []
    if request.after is not None:
        bounds.append(
            _past(ordering, *decode_cursor(request.after, field="after", tag=ordering.tag, pk=ordering.pk))
        )
    if request.before is not None:
        bounds.append(
            _before(
                ordering, *decode_cursor(request.before, field="before", tag=ordering.tag, pk=ordering.pk)
            )
        )
    return bounds


def reading_descending(request: PageRequest, ordering: Ordering) -> bool:
    """The order rows are read in: the list's, or its reverse for a backward page."""
    return ordering.descending != request.backward


# Each bound is written as "column <= c AND (column < c OR id < pk)": the first part lets the index
# seek straight to the cursor, the OR only sorts out ties. (Written as one OR of both cases,
# SQLite scans from the end of the index instead.)


def _past(o: Ordering, value: datetime, pk: Any) -> Q:
    """Rows after the cursor in list order."""
    return _beyond_bound(o.column, value, pk, smaller=o.descending)


def _before(o: Ordering, value: datetime, pk: Any) -> Q:
    """Rows before the cursor in list order."""
    return _beyond_bound(o.column, value, pk, smaller=not o.descending)


def _not_past(o: Ordering, value: datetime, pk: Any) -> Q:
    """The cursor's row and every row before it."""
    return ~_past(o, value, pk)


def _not_before(o: Ordering, value: datetime, pk: Any) -> Q:
    """The cursor's row and every row after it."""
    return ~_before(o, value, pk)


def _beyond_bound(column: str, value: datetime, pk: Any, *, smaller: bool) -> Q:
    op, strict = ("lte", "lt") if smaller else ("gte", "gt")
    seek: dict[str, Any] = {f"{column}__{op}": value}
    earlier: dict[str, Any] = {f"{column}__{strict}": value}
    tie: dict[str, Any] = {f"id__{strict}": pk}
    return Q(**seek) & (Q(**earlier) | Q(**tie))
