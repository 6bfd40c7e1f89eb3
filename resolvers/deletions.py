"""Deleting companies, persons and deals, with the tombstones a BI copy syncs from.

- A delete is one transaction: the record is locked, the records linked to it lose the link
  (a company's persons and deals, a person's deals) and get a new `updatedAt` (they changed, so
  a sync sees them again), the record and its source history go, and its tombstone (id, kind,
  deletedAt) is written.
- `deletedRecords` lists an account's tombstones oldest first, by keyset on (deletedAt, id).
- Tombstones are kept at least KEEP (90 days) and pruned once older than PRUNE_AFTER (120
  days): each delete prunes its own account's old ones in its transaction (an indexed DELETE on
  (account, deletedAt), usually finding none), and every `tributary serve` prunes all accounts'
  at start-up, so an account that stopped deleting loses its old ones too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from tortoise import timezone
from tortoise.models import Model

from models import Account, Company, Deal, DeletedRecord, Person, RecordKind
from resolvers.errors import NotFound
from resolvers.history import forget
from resolvers.ids import parse_id
from resolvers.locks import lock_record, write_transaction
from resolvers.pagination import Ordering, Page, PageRequest, paginate
from resolvers.times import utc

KEEP = timedelta(days=90)
PRUNE_AFTER = timedelta(days=120)
OLDEST_FIRST = Ordering("deleted_at", descending=False, tag="deleted", settled=True)

KINDS: dict[type[Model], RecordKind] = {
    Company: RecordKind.COMPANY,
    Person: RecordKind.PERSON,
    Deal: RecordKind.DEAL,
}
# the records that point at a deleted one: (model, foreign-key column)
LINKED: dict[type[Model], tuple[tuple[type[Model], str], ...]] = {
    Company: ((Person, "company_id"), (Deal, "company_id")),
    Person: ((Deal, "person_id"),),
    Deal: (),
}


async def delete_record(model: type[Model], *, account: Account, record_id: str) -> UUID:
    """Deletes the account's record `record_id` as the module says; NOT_FOUND when there is none."""
    what = model.__name__.lower()
    pk = parse_id(record_id, what=what)
    async with write_transaction():
        # held until the end: no record can be linked to it meanwhile (its foreign key waits)
        if not await lock_record(model, account, pk):
            raise NotFound(f"{what} not found", field="id")
        now = timezone.now()
        for linked, column in LINKED[model]:
            await linked.filter(account=account, **{column: pk}).update(**{column: None}, updated_at=now)
        await model.filter(id=pk, account=account).delete()
        await forget(model, account=account, record_id=pk)
        await DeletedRecord.create(id=pk, account=account, kind=KINDS[model], deleted_at=now)
        await DeletedRecord.filter(account=account, deleted_at__lt=now - PRUNE_AFTER).delete()
    return pk


async def list_deleted(*, account: Account, since: datetime, page: PageRequest) -> Page[DeletedRecord]:
    """The account's records deleted at or after `since`, oldest first."""
    deleted = DeletedRecord.filter(account=account, deleted_at__gte=utc(since))
    return await paginate(deleted, request=page, ordering=OLDEST_FIRST)


async def prune_tombstones(*, now: datetime | None = None) -> int:
    """Every account's tombstones older than PRUNE_AFTER; how many went."""
    cutoff = (now or timezone.now()) - PRUNE_AFTER
    return await DeletedRecord.filter(deleted_at__lt=cutoff).delete()
