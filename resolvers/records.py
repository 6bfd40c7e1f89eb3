"""What companies, persons and deals share: owners, the fields every patch has, single-statement writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.models import Model

from models import Account, Company, Deal, Person, User
from resolvers.assignment import (
    RecordMoved,
    assigning,
    edit_source,
    may_assign_on_create,
    record_creation,
    source_on_create,
)
from resolvers.errors import BadUserInput, Conflict, NotFound
from resolvers.ids import parse_id
from resolvers.inputs import OMITTED, Omitted
from resolvers.scope import get_in_account
from resolvers.search import with_search_keys

M = TypeVar("M", bound=Model)
EDIT_ATTEMPTS = 3  # an edit whose record another write keeps moving meanwhile: then CONFLICT
R = TypeVar("R", Company, Person, Deal)


@dataclass(frozen=True)
class RecordPatch:
    """An edit: a field left OMITTED keeps its value, None clears it (where it may be cleared)."""

    source_id: str | Omitted | None = OMITTED
    owner_id: str | Omitted | None = OMITTED


async def owner_for_new_record(*, account: Account, caller: User, owner_id: str | None) -> User:
    """The owner defaults to the user who creates the record."""
    if owner_id is None:
        return caller
    return await get_in_account(User, account=account, record_id=owner_id, field="ownerId")


async def common_changes(*, account: Account, patch: RecordPatch) -> dict[str, Any]:
    """Column changes every kind of record has: the owner (the source is `update_record`'s)."""
    changes: dict[str, Any] = {}
    if patch.owner_id is None:
        raise BadUserInput("ownerId cannot be null: every record has an owner", field="ownerId")
    if patch.owner_id is not OMITTED:
        owner = await get_in_account(User, account=account, record_id=patch.owner_id, field="ownerId")
        changes["owner_id"] = owner.id
    return changes


def required(value: Any, *, field: str) -> Any:
    """A patch value for a field that cannot be cleared."""
    if value is None:
        raise BadUserInput(f"{field} cannot be null", field=field)
    return value


async def create_record(
    model: type[R],
    *,
    account: Account,
    by: User,
    source_id: str | Omitted | None,
    company: Company | None = None,
    **values: Any,
) -> R:
    """Inserts the record with the source it gets (resolvers/assignment.py), and its history
    entry in the same transaction; `company` is the one it is created with, for inheritance (and
    stored, except on companies themselves). Searched columns get their folded copies
    (resolvers/search.py) in the same INSERT."""
    if model is not Company:
        values["company"] = company
    may_assign = may_assign_on_create(source_id, company)
    try:
        async with assigning(account, may_assign=may_assign):
            assignment = await source_on_create(account=account, source_id=source_id, company=company)
            # one instant, taken next to the write (a sync reads in update order, resolvers/settled.py):
            # a record never edited has createdAt == updatedAt, and its CREATED entry is at it too
            now = timezone.now()
            record = await model.create(
                **with_search_keys(model, values),
                **assignment.columns(now),
                account=account,
                created_at=now,
                updated_at=now,
            )
            await record_creation(
                model, account=account, record_id=record.id, assignment=assignment, by=by.id, at=now
            )
            return record
    except IntegrityError:
        raise _vanished() from None


async def update_record(
    model: type[R],
    *,
    account: Account,
    by: User,
    record_id: str,
    changes: dict[str, Any],
    source_id: str | Omitted | None = OMITTED,
) -> R:
    """One UPDATE scoped by account. `source_id` is the patch's source: left out keeps it, null
    clears it, an id sets it, checked and logged in the UPDATE's transaction
    (resolvers/assignment.py). An edit whose record another write moves meanwhile runs again,
    up to EDIT_ATTEMPTS times, then it is a CONFLICT."""
    what = model.__name__.lower()
    pk = parse_id(record_id, what=what)
    for attempt in range(EDIT_ATTEMPTS):
        try:
            updated = await _update(model, account, by, pk, changes, source_id)
            break
        except RecordMoved:
            if attempt == EDIT_ATTEMPTS - 1:
                raise Conflict(f"the {what} changed while it was edited: send the edit again") from None
    record = await model.get_or_none(id=pk) if updated else None
    if record is None:  # none, or deleted by a concurrent request right after the update
        raise NotFound(f"{what} not found", field="id")
    return record


async def _update(
    model: type[R],
    account: Account,
    by: User,
    pk: UUID,
    changes: dict[str, Any],
    source_id: str | Omitted | None,
) -> int:
    """One attempt of `update_record`: how many rows it updated (0 or 1)."""
    try:
        async with assigning(account, may_assign=source_id not in (None, OMITTED)):
            now = timezone.now()
            if source_id is not OMITTED:
                now = await edit_source(model, account=account, record_id=pk, source_id=source_id, by=by.id)
            updated: int = await model.filter(id=pk, account=account).update(
                **with_search_keys(model, changes), updated_at=now
            )
            return updated
    except IntegrityError:
        raise _vanished() from None


def id_or_none(record: Model | None) -> Any:
    return None if record is None else record.pk


def _vanished() -> NotFound:
    # a referenced record was deleted by a concurrent request between our check and the write
    return NotFound("a referenced record no longer exists")
