"""Managing sources (admins): add, rename, delete; and the usage counts shown on each source.

Names follow the one name rule (resolvers/text.py): trimmed, 1-100 characters, unique within the
account ignoring case, enforced by a unique index on the name key so racing requests cannot both win.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from models import Account, Company, Deal, Person, Source
from resolvers.errors import BadUserInput, Conflict, NotFound
from resolvers.ids import as_uuid, parse_id
from resolvers.scope import find_in_account, get_in_account
from resolvers.text import normalise_name


@dataclass(frozen=True)
class Usage:
    companies: int = 0
    persons: int = 0
    deals: int = 0


@dataclass(frozen=True)
class DeletedSource:
    deleted_id: UUID
    detached: Usage
    replaced_with: Source | None


async def list_sources(*, account: Account) -> list[Source]:
    return await Source.filter(account=account).order_by("name_key", "id")


async def find_source(*, account: Account, source_id: str) -> Source | None:
    return await find_in_account(Source, account=account, record_id=source_id)


async def create_source(*, account: Account, name: str) -> Source:
    name, key = normalise_name(name)
    try:
        return await Source.create(account=account, name=name, name_key=key)
    except IntegrityError:
        raise _name_taken(name) from None


async def rename_source(*, account: Account, source_id: str, name: str) -> Source:
    name, key = normalise_name(name)
    try:
        updated = await Source.filter(id=parse_id(source_id, what="source"), account=account).update(
            name=name, name_key=key
        )
    except IntegrityError:
        raise _name_taken(name) from None
    if not updated:
        raise NotFound("source not found", field="id")
    return await get_in_account(Source, account=account, record_id=source_id)


async def delete_source(
    *, account: Account, source_id: str, confirm: bool, replace_with: str | None
) -> DeletedSource:
    """Permanent, so it needs `confirm`. Every record using the source loses it, or moves to
    `replace_with`, in one transaction."""
    if not confirm:
        raise BadUserInput("deleting a source is permanent: pass confirm: true", field="confirm")
    deleted_id = parse_id(source_id, what="source")
    replacement = None
    if replace_with is not None:
        replacement = await get_in_account(
            Source, account=account, record_id=replace_with, field="replaceWith"
        )
        if replacement.id == deleted_id:
            raise BadUserInput("a source cannot replace itself", field="replaceWith")
    target = replacement.id if replacement else None
    try:
        # only writes inside the transaction: SQLite takes the write lock at the first statement
        async with in_transaction():
            detached = Usage(
                companies=await _move(Company, account, deleted_id, target),
                persons=await _move(Person, account, deleted_id, target),
                deals=await _move(Deal, account, deleted_id, target),
            )
            if not await Source.filter(id=deleted_id, account=account).delete():
                raise NotFound("source not found", field="id")
    except IntegrityError:
        # the replacement was deleted by a concurrent request
        raise NotFound("source not found", field="replaceWith") from None
    return DeletedSource(deleted_id=deleted_id, detached=detached, replaced_with=replacement)


async def usage_by_source(*, account: Account, source_ids: Iterable[UUID]) -> dict[UUID, Usage]:
    """How many companies, persons and deals use each source: three GROUP BY statements."""
    ids = list(source_ids)
    counts: dict[str, dict[UUID, int]] = {}
    for kind, model in (("companies", Company), ("persons", Person), ("deals", Deal)):
        rows = (
            await model.filter(account=account, source_id__in=ids)
            .annotate(n=Count("id"))
            .group_by("source_id")
            .values("source_id", "n")
        )
        counts[kind] = {as_uuid(row["source_id"]): row["n"] for row in rows}
    return {
        source_id: Usage(
            companies=counts["companies"].get(source_id, 0),
            persons=counts["persons"].get(source_id, 0),
            deals=counts["deals"].get(source_id, 0),
        )
        for source_id in ids
    }


async def _move(
    model: type[Company] | type[Person] | type[Deal], account: Account, source: UUID, to: UUID | None
) -> int:
    return await model.filter(account=account, source_id=source).update(source_id=to)


def _name_taken(name: str) -> Conflict:
    return Conflict(f"a source named {name!r} already exists (names ignore case)", field="name")
