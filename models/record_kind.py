"""Which kind of record a history entry or a tombstone belongs to."""

from __future__ import annotations

from enum import StrEnum


class RecordKind(StrEnum):
    COMPANY = "COMPANY"
    PERSON = "PERSON"
    DEAL = "DEAL"
