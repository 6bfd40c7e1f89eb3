"""Attribution on Company, Person and Deal: origin, first source, and the history of changes."""

from __future__ import annotations

from datetime import datetime
from typing import Self
from uuid import UUID

import strawberry
from tortoise.models import Model

from models import SourceChange as SourceChangeModel
from resolvers.history import HISTORY_DEFAULT
from resolvers.pagination import FIRST_MAX
from schema.context import Info
from schema.enums import SourceChangeReason, SourceOrigin
from schema.pagination import Connection, page_request
from schema.prefetch import Related
from schema.sources import RECORD_SOURCES, SOURCES, Source
from schema.users import USERS, User

HISTORY_DOC = (
    f"Every change of the source, newest first. first/last: 1-{FIRST_MAX} (first null means "
    f"{HISTORY_DEFAULT}), not both; after: the endCursor of the previous page; before: the "
    "startCursor of the next page (with last, pages run backwards)."
)


@strawberry.type(description="One change of a record's source.")
class SourceChange:
    at: datetime
    reason: SourceChangeReason = strawberry.field(
        description="CREATED: created with a chosen source; INHERITED: created with its company's; "
        "EDITED: set or cleared by an edit; APPLIED: the company's source applied "
        "(applyCompanySource); REPLACED: its source was deleted with a replacement; MERGED: its "
        "source was merged into another; DELETED: its source was deleted without replacement."
    )
    by_id: strawberry.Private[object]
    from_source_id: strawberry.Private[object]
    to_source_id: strawberry.Private[object]

    @strawberry.field(
        graphql_type=User | None,
        description="The user who made the change; null when that user was deleted, and on the "
        "entries written when Tributary was upgraded to attribution (who made them is not known).",
    )
    def by(self, info: Info) -> Related[User]:
        return USERS.load(info.context.loaders, self.by_id)

    @strawberry.field(
        name="from",
        graphql_type=Source | None,
        description="The source before the change; null when there was none, or it was deleted.",
    )
    def from_(self, info: Info) -> Related[Source]:
        return SOURCES.load(info.context.loaders, self.from_source_id)

    from_name: str | None = strawberry.field(
        description="The name `from` had at the time, kept after it is deleted; null when there was none."
    )

    @strawberry.field(
        graphql_type=Source | None,
        description="The source after the change; null when it was cleared, or the source was deleted.",
    )
    def to(self, info: Info) -> Related[Source]:
        return SOURCES.load(info.context.loaders, self.to_source_id)

    to_name: str | None = strawberry.field(
        description="The name `to` had at the time, kept after it is deleted; null when there is none."
    )

    @classmethod
    def from_model(cls, change: SourceChangeModel) -> Self:
        return cls(
            at=change.at,
            reason=change.reason,
            from_name=change.from_name,
            to_name=change.to_name,
            by_id=change.by_id,
            from_source_id=change.from_source_id,
            to_source_id=change.to_source_id,
        )


@strawberry.type
class Attributed:
    """The attribution fields Company, Person and Deal share (`record_model` says which it is)."""

    id: strawberry.ID
    source_origin: SourceOrigin | None = strawberry.field(
        description="CHOSEN when a user set the source, INHERITED when it was copied from the "
        "company (on creation or by applyCompanySource); null without a source. Replacing on "
        "delete and merging keep it."
    )
    first_source_at: datetime | None = strawberry.field(
        description="When the record first got a source. Kept when that source is deleted without "
        "replacement, so a later source is never taken for the first."
    )
    first_source_id: strawberry.Private[object]
    record_model: strawberry.Private[type[Model]]

    @strawberry.field(
        graphql_type=Source | None,
        description="The first source the record ever had: never changed by edits or clearing; it "
        "follows merges and replacements, and is null once deleted without replacement (or when "
        "the record never had a source).",
    )
    def first_source(self, info: Info) -> Related[Source]:
        return RECORD_SOURCES.load(info.context.loaders, self.first_source_id)

    @strawberry.field(description=HISTORY_DOC)
    async def source_history(
        self,
        info: Info,
        first: int | None = HISTORY_DEFAULT,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[SourceChange]:
        request = page_request(info, first, after, last, before, default=HISTORY_DEFAULT)
        page = await info.context.loaders.history_by_record.load((self.record_model, UUID(self.id), request))
        return await Connection[SourceChange].from_page(info, page, SourceChange.from_model)
