"""What companies, persons and deals share: owners, edits of a source, and single-statement writes."""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.models import Model

from models import Account, User
from resolvers.errors import BadUserInput, NotFound
from resolvers.ids import parse_id
from resolvers.inputs import OMITTED, Omitted
from resolvers.references import chosen_source_id, get_owner

M = TypeVar("M", bound=Model)


async def owner_for_new_record(*, account: Account, caller: User, owner_id: str | None) -> User:
    """The owner defaults to the user who creates the record."""
    if owner_id is None:
        return caller
    return await get_owner(account=account, owner_id=owner_id)


async def common_changes(
    *, account: Account, source_id: str | Omitted | None, owner_id: str | Omitted | None
) -> dict[str, Any]:
    """Column changes for an edit: left-out fields keep their value, an explicit null clears."""
    changes: dict[str, Any] = {}
    source = await chosen_source_id(account=account, source_id=source_id)
    if source is not OMITTED:
        changes["source_id"] = source
    if owner_id is None:
        raise BadUserInput("ownerId cannot be null: every record has an owner", field="ownerId")
    if owner_id is not OMITTED:
        changes["owner_id"] = (await get_owner(account=account, owner_id=owner_id)).id
    return changes


async def create_record(model: type[M], **values: Any) -> M:
    now = timezone.now()  # one instant: a record never edited has createdAt == updatedAt
    try:
        return await model.create(**values, created_at=now, updated_at=now)
    except IntegrityError:
        raise _vanished() from None


async def update_record(
    model: type[M], *, account: Account, record_id: str, what: str, changes: dict[str, Any]
) -> M:
    """One UPDATE scoped by account: atomic, and no read-then-write window."""
    pk = parse_id(record_id, what=what)
    try:
        updated = await model.filter(id=pk, account=account).update(**changes, updated_at=timezone.now())
    except IntegrityError:
        raise _vanished() from None
    if not updated:
        raise NotFound(f"{what} not found", field="id")
    return await model.get(id=pk)


async def delete_record(model: type[Model], *, account: Account, record_id: str, what: str) -> UUID:
    pk = parse_id(record_id, what=what)
    if not await model.filter(id=pk, account=account).delete():
        raise NotFound(f"{what} not found", field="id")
    return pk


async def find_record(model: type[M], *, account: Account, record_id: str) -> M | None:
    try:
        pk = parse_id(record_id, what="record")
    except NotFound:
        return None
    return await model.get_or_none(id=pk, account=account)


def id_or_none(record: Model | None) -> Any:
    return None if record is None else record.pk


def _vanished() -> NotFound:
    # a referenced record was deleted by a concurrent request between our check and the write
    return NotFound("a referenced record no longer exists")
