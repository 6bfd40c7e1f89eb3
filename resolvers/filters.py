"""List filters (ContactFilter, DealFilter) as one Q per filter, always inside the caller's account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.models import Model

from models import Account, DealStatus, SourceOrigin
from resolvers.aliases import aliases_of, on_sources_q, without_source_q
from resolvers.ids import parse_ids
from resolvers.search import search_q
from resolvers.text import clean_text
from resolvers.times import utc

SEARCH_MAX = 200


@dataclass
class RecordFilter:
    """Fields left as None do not filter. `source_ids` and `without_source` together mean
    "any of these sources, or none"; an empty id list matches nothing."""

    source_ids: list[str] | None = None
    without_source: bool | None = None
    origin: SourceOrigin | None = None  # records whose source was chosen, or inherited
    owner_ids: list[str] | None = None
    company_id: str | None = None
    person_id: str | None = None
    status: DealStatus | None = None
    search: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    updated_from: datetime | None = None


async def filter_q(f: RecordFilter, *, account: Account, model: type[Model], company_field: str) -> Q:
    """`company_field` is "id" for companies (the company itself) and "company_id" elsewhere.
    A record's source is the one its stored id means (resolvers/aliases.py)."""
    parts: list[Q] = []
    filters_source = f.source_ids is not None or f.without_source is not None
    aliases = await aliases_of(account) if filters_source else {}
    if f.source_ids is not None or f.without_source:
        either: list[Q] = []
        if f.source_ids is not None:
            either.append(on_sources_q(parse_ids(f.source_ids, field="sourceIds"), aliases))
        if f.without_source:
            either.append(without_source_q(aliases))
        parts.append(Q(*either, join_type=Q.OR))
    elif f.without_source is False:
        parts.append(~without_source_q(aliases))
    if f.origin is not None:
        parts.append(Q(source_origin=f.origin))
    if f.owner_ids is not None:
        parts.append(owners_q(f.owner_ids, field="ownerIds"))
    if f.company_id is not None:
        company: dict[str, Any] = {f"{company_field}__in": parse_ids([f.company_id], field="companyId")}
        parts.append(Q(**company))
    if f.person_id is not None:
        parts.append(Q(person_id__in=parse_ids([f.person_id], field="personId")))
    if f.status is not None:
        parts.append(Q(status=f.status))
    needle = clean_text(f.search or "", field="search", max_length=SEARCH_MAX, required=False)
    if needle:
        parts.append(search_q(model, needle))
    parts.append(created_q(f.created_from, f.created_to))
    if f.updated_from is not None:
        parts.append(Q(updated_at__gte=utc(f.updated_from)))
    return Q(*parts)


def owners_q(owner_ids: list[str], *, field: str) -> Q:
    """Records of these owners; an empty list (or only unknown ids) matches nothing."""
    return Q(owner_id__in=parse_ids(owner_ids, field=field))


def created_q(created_from: datetime | None, created_to: datetime | None) -> Q:
    """The creation range, for lists and statistics alike: from inclusive, to exclusive.

    Bounds are compared in UTC, the form the columns hold: SQLite compares date-times as text,
    so "11:30+01:00" must become "10:30+00:00" first.
    """
    parts = []
    if created_from is not None:
        parts.append(Q(created_at__gte=utc(created_from)))
    if created_to is not None:
        parts.append(Q(created_at__lt=utc(created_to)))
    return Q(*parts)
