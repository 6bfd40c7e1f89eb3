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
- Origin: INHERITED when the source was copied from the company (at creation, or by applying
  the company's source), CHOSEN when a user set it; null without a source. Replacing on delete
  and merging move a record's source without changing its origin.
- First source: the first source a record ever had, with the time it got it. Set when the
  record first gets a source (creation, edit or apply), then never changed by edits or
  clearing; it follows merges and replacements, and is cleared (its time kept, so a later
  source does not become "first") only when it is deleted without replacement.
- History: one entry per actual change of a record's source, by the user who made it, in the
  change's transaction (resolvers/history.py): CREATED or INHERITED on creation, EDITED (none
  when an edit re-sends the current source; clearing is an entry to none), APPLIED, REPLACED,
  MERGED, DELETED. A record created without a source has none until its source first changes.
- Races: a write that may assign a source runs in `assigning(...)`, one transaction in which
  the switch is re-read and the assigned source is held (resolvers/locks.py). A switch-off, an
  archive, a delete or a merge that has answered is never undone by a write still in flight.
- Bulk moves: deleting a source (with or without a replacement), merging sources and applying a
  company's source change many records at once, one statement per table for the records and
  one for their history, and bump `updatedAt` of exactly the records they change (those whose
  first source follows a merge or a delete included).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from tortoise import timezone

from models import Account, Company, Deal, Person, SourceChangeReason, SourceOrigin
from resolvers.aliases import aliases_meaning, aliases_of, fold, share_meant
from resolvers.errors import NotFound, SourceArchived, SourcesDisabled
from resolvers.history import (
    KEEP,
    FirstSource,
    Move,
    OfCompany,
    OneRecord,
    OnSources,
    apply_move,
    record_created,
)
from resolvers.ids import as_uuid, as_uuid_or_none, parse_id
from resolvers.inputs import OMITTED, Omitted
from resolvers.locks import (
    HeldSource,
    current_sources_of,
    refresh_switches,
    share_source,
    share_sources,
    write_transaction,
)

RecordModel = type[Company] | type[Person] | type[Deal]


@dataclass(frozen=True)
class Assignment:
    """The source a new record gets, and whether it was copied from its company."""

    source: HeldSource | None
    inherited: bool = False

    def columns(self, now: datetime) -> dict[str, Any]:
        """The new record's source, origin and first source."""
        if self.source is None:
            return {"source_id": None}
        return {
            "source_id": self.source.id,
            "source_origin": SourceOrigin.INHERITED if self.inherited else SourceOrigin.CHOSEN,
            "first_source_id": self.source.id,
            "first_source_at": now,
        }


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
    """The transaction of a record's write (with its history entry when it changes the source),
    the account's switches re-read when it may assign a source."""
    async with write_transaction():
        if may_assign:
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
        return Assignment(chosen)
    if company is not None and company.source_id is not None and inheritance_active(account):
        inherited = await _company_source(account, company)
        return Assignment(inherited, inherited=inherited is not None)
    return Assignment(None)


async def record_creation(
    model: RecordModel, *, account: Account, record_id: UUID, assignment: Assignment, by: UUID, at: datetime
) -> None:
    """The history of a record created with a source: CREATED when chosen, INHERITED when copied."""
    if assignment.source is not None:
        reason = SourceChangeReason.INHERITED if assignment.inherited else SourceChangeReason.CREATED
        await record_created(
            model, account=account, record_id=record_id, reason=reason, by=by, to=assignment.source, at=at
        )


async def edit_source(
    model: RecordModel, *, account: Account, record_id: UUID, source_id: str | None, by: UUID
) -> datetime:
    """An edit's `sourceId`: null clears the source, an id sets it (origin CHOSEN). Re-sending
    the current source changes nothing and writes no entry. Runs in `assigning(...)`; returns
    the edit's time, taken once the record is locked (so after any change it waited for).
    RecordMoved: the caller runs the edit again."""
    chosen_id = None
    if source_id is not None:
        require_sources_enabled(account)
        chosen_id = _source_key(source_id)
    exists, current, held = await _hold_for_edit(model, account, record_id, chosen_id)
    chosen = None if chosen_id is None else held.get(chosen_id)
    if chosen_id is not None and chosen is None:
        raise NotFound("source not found", field="sourceId")
    if not exists:
        raise NotFound(f"{model.__name__.lower()} not found", field="id")
    if chosen is not None and chosen.archived and current != chosen.id:
        raise _archived()
    origin = None if chosen is None else SourceOrigin.CHOSEN
    move = Move(SourceChangeReason.EDITED, OneRecord(record_id), chosen, origin, FirstSource.ADOPT)
    now = timezone.now()
    await apply_move(model, account=account, move=move, by=by, now=now)
    return now


class RecordMoved(Exception):
    """The record's source changed between reading it and locking it: run the edit again in a
    new transaction, so its sources are still taken in id order before the record."""


async def _hold_for_edit(
    model: RecordModel, account: Account, record_id: UUID, chosen_id: UUID | None
) -> tuple[bool, UUID | None, dict[UUID, HeldSource]]:
    """(whether the record exists, its source, the sources held): the record's current and first
    sources and the chosen one held in id order, then the record locked (resolvers/locks.py's
    order). RecordMoved when another write moved the record or its first source meanwhile."""
    rows = await model.filter(id=record_id, account=account).values("source_id", "first_source_id")
    was = [as_uuid_or_none(rows[0][column]) for column in ("source_id", "first_source_id")] if rows else []
    aliases = await aliases_of(account)
    meant = [fold(stored, aliases) for stored in was]
    held = await share_sources(account, [i for i in (*meant, chosen_id) if i is not None])
    if any(i is not None and i not in held for i in meant):
        raise RecordMoved  # retired meanwhile: resolve again
    exists, current, first = await current_sources_of(model, account, record_id)
    if exists and [current, first] != was:
        raise RecordMoved
    return exists, meant[0] if meant else None, held


def _source_key(source_id: str | UUID) -> UUID:
    try:
        return parse_id(source_id, what="source")
    except NotFound:
        raise NotFound("source not found", field="sourceId") from None


async def _chosen(account: Account, source_id: str | UUID) -> HeldSource:
    """A source a user picks: sources must be on, and it must be of this account."""
    require_sources_enabled(account)
    held = await share_source(account, _source_key(source_id))
    if held is None:
        raise NotFound("source not found", field="sourceId")
    return held


async def _company_source(account: Account, company: Company) -> HeldSource | None:
    """The company's source as it is inside this transaction, held; None when it has none.

    Read again (and retried when a delete or merge moved it meanwhile), so a person created
    just after the company's source was replaced gets the replacement.
    """
    for _ in range(3):
        rows = await Company.filter(id=company.id).values_list("source_id", flat=True)
        if not rows or rows[0] is None:
            return None
        held = await share_meant(account, as_uuid(rows[0]))
        if held is not None:
            return held
    return None


def _archived() -> SourceArchived:
    return SourceArchived(
        "this source is archived: it stays on the records that have it, but cannot be newly assigned",
        field="sourceId",
    )


# Bulk moves. The caller holds the locks (resolvers/locks.py) and the transaction; `by` is the
# user who asked for the change.


async def detach_source(*, account: Account, by: UUID, source_id: UUID) -> Usage:
    """Deleting a source without replacement: every record that used it is left without one
    (origin cleared); first sources on it are cleared, their times kept."""
    move = Move(
        SourceChangeReason.DELETED, await _on_sources(account, [source_id]), None, None, FirstSource.FOLLOW
    )
    return await _move_everywhere(account, move, by)


async def replace_source(*, account: Account, by: UUID, source_id: UUID, replacement: HeldSource) -> Usage:
    """Deleting a source with a replacement: every record that used it moves to `replacement`,
    keeping its origin; first sources on it become `replacement`."""
    move = Move(
        SourceChangeReason.REPLACED,
        await _on_sources(account, [source_id]),
        replacement,
        KEEP,
        FirstSource.FOLLOW,
    )
    return await _move_everywhere(account, move, by)


async def merge_into(*, account: Account, by: UUID, source_ids: list[UUID], into: HeldSource) -> Usage:
    """Merging: every record on one of `source_ids` moves to `into`, keeping its origin; first
    sources on them become `into`."""
    move = Move(
        SourceChangeReason.MERGED, await _on_sources(account, source_ids), into, KEEP, FirstSource.FOLLOW
    )
    return await _move_everywhere(account, move, by)


async def apply_to_company_records(
    *, account: Account, by: UUID, company_id: UUID, source: HeldSource, overwrite: bool
) -> Usage:
    """The company's source onto its persons and deals: those without a source, or with
    `overwrite` every one whose source differs. Their origin becomes INHERITED. Counts only the
    records that changed."""
    move = Move(
        SourceChangeReason.APPLIED,
        OfCompany(company_id, overwrite),
        source,
        SourceOrigin.INHERITED,
        FirstSource.ADOPT,
    )
    return Usage(
        persons=await apply_move(Person, account=account, move=move, by=by),
        deals=await apply_move(Deal, account=account, move=move, by=by),
    )


async def _on_sources(account: Account, ids: list[UUID]) -> OnSources:
    """The records on the live sources `ids`, by every stored id that means one of them."""
    return OnSources(ids, aliases_meaning(ids, await aliases_of(account)))


async def _move_everywhere(account: Account, move: Move, by: UUID) -> Usage:
    return Usage(
        companies=await apply_move(Company, account=account, move=move, by=by),
        persons=await apply_move(Person, account=account, move=move, by=by),
        deals=await apply_move(Deal, account=account, move=move, by=by),
    )
