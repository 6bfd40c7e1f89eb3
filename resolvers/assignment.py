"""Which source a company, person or deal gets, and why: the one place for that rule.

- The switch: while sources are off for the account, no source may be assigned (clearing one
  still works); reading, managing sources and statistics keep working.
- Choosing: a chosen source must belong to the caller's account (NOT_FOUND otherwise). An
  archived source cannot be newly assigned (SOURCE_ARCHIVED): not on create, and on edit only
  when it already is the record's source, so re-sending a record's current source is fine.
- Inheritance: a person or deal created with a company and without a `sourceId` takes the
  company's source at that moment, when the account has inheritance (and sources) on; archived
  or not, since it is where the company came from. An explicit `sourceId`, null included,
  always wins; edits never re-inherit.
- Races: a write that may assign a source runs in `assigning(...)`, one transaction in which
  the switch is re-read and the assigned source is held (resolvers/locks.py). A switch-off, an
  archive, a delete or a merge that has answered is never undone by a write still in flight.
- Bulk moves: deleting a source (with or without a replacement), merging sources and applying a
  company's source change many records at once, one UPDATE per table, and bump `updatedAt` of
  exactly the records they change. Each kind of move is one function here, so what else a
  move must write (its history) goes into the same transaction, next to its UPDATE.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from tortoise import timezone
from tortoise.expressions import Q
from tortoise.models import Model

from models import Account, Company, Deal, Person
from resolvers.errors import NotFound, SourceArchived, SourcesDisabled
from resolvers.ids import as_uuid, parse_id
from resolvers.inputs import OMITTED, Omitted
from resolvers.locks import (
    HeldSource,
    current_source_of,
    refresh_switches,
    share_source,
    write_transaction,
)

RecordModel = type[Company] | type[Person] | type[Deal]


@dataclass(frozen=True)
class Assignment:
    """The source a new record gets, and whether it was copied from its company."""

    source_id: UUID | None
    inherited: bool = False


@dataclass(frozen=True)
class Usage:
    """Companies, persons and deals: how many use a source, or how many a bulk move changed."""

    companies: int = 0
    persons: int = 0
    deals: int = 0


def require_sources_enabled(account: Account, *, field: str | None = "sourceId") -> None:
    if not account.sources_enabled:
        raise SourcesDisabled("acquisition sources are switched off for this account", field=field)


def inheritance_active(account: Account) -> bool:
    return account.sources_enabled and account.inherit_from_company


def may_assign_on_create(source_id: str | Omitted | None, company: Company | None) -> bool:
    """Whether a create could end up with a source (chosen, or inherited from `company`)."""
    if source_id is OMITTED:
        return company is not None and company.source_id is not None
    return source_id is not None


@asynccontextmanager
async def assigning(account: Account, *, may_assign: bool) -> AsyncIterator[None]:
    """The transaction of a write that may assign a source, with the account's switches re-read.

    A write that cannot assign one (no source, or null) needs neither and runs as it is.
    """
    if not may_assign:
        yield
        return
    async with write_transaction():
        await refresh_switches(account)
        yield


async def source_on_create(
    *, account: Account, source_id: str | Omitted | None, company: Company | None = None
) -> Assignment:
    """The source of a record being created; `company` is the one it is created with, if any."""
    if source_id is None:
        return Assignment(None)
    if source_id is not OMITTED:
        chosen = await _chosen(account, source_id)
        if chosen.archived:
            raise _archived()
        return Assignment(chosen.id)
    if company is not None and company.source_id is not None and inheritance_active(account):
        inherited = await _company_source(account, company)
        return Assignment(inherited, inherited=inherited is not None)
    return Assignment(None)


async def source_on_edit(
    *, account: Account, source_id: str | Omitted | None, model: RecordModel, record_id: UUID
) -> UUID | Omitted | None:
    """An edit's new source: left out keeps it (OMITTED), null clears it, an id sets it."""
    if source_id is None or source_id is OMITTED:
        return source_id
    chosen = await _chosen(account, source_id)
    if chosen.archived:
        exists, current = await current_source_of(model, account, record_id)
        if not exists:
            raise NotFound(f"{model.__name__.lower()} not found", field="id")
        if current != chosen.id:
            raise _archived()
    return chosen.id


async def _chosen(account: Account, source_id: str | UUID) -> HeldSource:
    """A source a user picks: sources must be on, and it must be of this account."""
    require_sources_enabled(account)
    try:
        held = await share_source(account, parse_id(source_id, what="source"))
    except NotFound:
        held = None
    if held is None:
        raise NotFound("source not found", field="sourceId")
    return held


async def _company_source(account: Account, company: Company) -> UUID | None:
    """The company's source as it is inside this transaction, held; None when it has none.

    Read again (and retried when a delete or merge moved it meanwhile), so a person created
    just after the company's source was replaced gets the replacement.
    """
    for _ in range(3):
        rows = await Company.filter(id=company.id).values_list("source_id", flat=True)
        if not rows or rows[0] is None:
            return None
        held = await share_source(account, as_uuid(rows[0]))
        if held is not None:
            return held.id
    return None


def _archived() -> SourceArchived:
    return SourceArchived(
        "this source is archived: it stays on the records that have it, but cannot be newly assigned",
        field="sourceId",
    )


# Bulk moves. The caller holds the locks (resolvers/locks.py) and the transaction.


async def detach_source(*, account: Account, source_id: UUID) -> Usage:
    """Deleting a source without replacement: every record that used it is left without one."""
    return await _move_everywhere(account, Q(source_id=source_id), to=None)


async def replace_source(*, account: Account, source_id: UUID, replacement: UUID) -> Usage:
    """Deleting a source with a replacement: every record that used it moves to `replacement`."""
    return await _move_everywhere(account, Q(source_id=source_id), to=replacement)


async def merge_into(*, account: Account, source_ids: list[UUID], into: UUID) -> Usage:
    """Merging: every record on one of `source_ids` moves to `into`."""
    return await _move_everywhere(account, Q(source_id__in=source_ids), to=into)


async def apply_to_company_records(
    *, account: Account, company_id: UUID, source_id: UUID, overwrite: bool
) -> Usage:
    """The company's source onto its persons and deals: those without a source, or with
    `overwrite` every one whose source differs. Counts only the records that changed."""
    changes = Q(source_id__isnull=True)
    if overwrite:
        changes = Q(changes, ~Q(source_id=source_id), join_type=Q.OR)
    now = timezone.now()
    return Usage(
        persons=await _move(Person, account, Q(changes, company_id=company_id), source_id, now),
        deals=await _move(Deal, account, Q(changes, company_id=company_id), source_id, now),
    )


async def _move_everywhere(account: Account, which: Q, *, to: UUID | None) -> Usage:
    now = timezone.now()
    return Usage(
        companies=await _move(Company, account, which, to, now),
        persons=await _move(Person, account, which, to, now),
        deals=await _move(Deal, account, which, to, now),
    )


async def _move(model: type[Model], account: Account, which: Q, to: UUID | None, now: datetime) -> int:
    """One UPDATE: the records of `which` get source `to`, and `updatedAt` now."""
    return await model.filter(which, account=account).update(source_id=to, updated_at=now)
