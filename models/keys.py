"""Record ids: time-ordered UUIDs (version 7, RFC 9562), so ids sort in creation order.

A company, person or deal created later gets a larger id (within a millisecond, in random
order). Rows, their ids and their creation times then all follow one order, so a set-based
change that walks records in table order (a merge, a delete with replacement) also walks
every index keyed by id or by creation time in order, instead of touching a random page per
record. Clients still see opaque UUID strings; ids of records created before this keep
their random (version 4) values.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from tortoise import timezone

_VERSION = 0x7 << 76
_VARIANT = 0b10 << 62


def uuid7(at: datetime | None = None, *, bits: Callable[[int], int] = secrets.randbits) -> UUID:
    """A version 7 UUID: the Unix time of `at` (default now) in milliseconds, then 74 random bits
    from `bits` (the seeder passes its own generator, so seeded data is reproducible)."""
    millis = int((at or timezone.now()).timestamp() * 1000)
    return UUID(int=(millis & (2**48 - 1)) << 80 | _VERSION | bits(12) << 64 | _VARIANT | bits(62))
