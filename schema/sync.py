"""Keeping a copy in sync: the records deleted since a point in time (lists give the changes)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

import strawberry

from models import DeletedRecord as DeletedRecordModel
from resolvers import deletions
from schema.context import Info
from schema.enums import RecordKind
from schema.pagination import FIRST_DEFAULT, Connection, page_request

DELETED_DOC = (
    "Companies, persons and deals of the account deleted at or after `since`, oldest first, each "
    f"once; kept at least {deletions.KEEP.days} days (pruned after {deletions.PRUNE_AFTER.days}), so "
    f"a copy older than {deletions.KEEP.days} days needs a full pull. Paged like the lists (keyset "
    "on deletedAt and id): keep the last endCursor and pass it as after, with the same since."
)


@strawberry.type(description="A company, person or deal that was deleted.")
class DeletedRecord:
    id: strawberry.ID = strawberry.field(description="The id the record had.")
    kind: RecordKind
    deleted_at: datetime

    @classmethod
    def from_model(cls, deleted: DeletedRecordModel) -> Self:
        return cls(id=strawberry.ID(str(deleted.id)), kind=deleted.kind, deleted_at=deleted.deleted_at)


@strawberry.type
class SyncQuery:
    @strawberry.field(description=DELETED_DOC)
    async def deleted_records(
        self,
        info: Info,
        since: Annotated[datetime, strawberry.argument(description="Inclusive.")],
        first: int | None = FIRST_DEFAULT,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[DeletedRecord]:
        page = await deletions.list_deleted(
            account=info.context.account, since=since, page=page_request(info, first, after, last, before)
        )
        return await Connection[DeletedRecord].from_page(info, page, DeletedRecord.from_model)
