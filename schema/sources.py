from __future__ import annotations

from datetime import datetime
from typing import Self
from uuid import UUID

import strawberry

from models import Account
from models import Source as SourceModel
from resolvers import settings, sources
from resolvers.auth import require_admin
from schema.context import Info
from schema.node import Node
from schema.prefetch import Related, now_or_later


@strawberry.type
class SourceSettings:
    enabled: bool = strawberry.field(
        description="While off, assigning a source fails with SOURCES_DISABLED and inheritance "
        "does not run; stored assignments are kept and reappear when switched on again."
    )
    inherit_from_company: bool = strawberry.field(
        description="New persons and deals created with a company and without a sourceId take "
        "the company's source."
    )

    @classmethod
    def from_model(cls, account: Account) -> Self:
        return cls(enabled=account.sources_enabled, inherit_from_company=account.inherit_from_company)


@strawberry.type
class SourceUsage:
    companies: int
    persons: int
    deals: int

    @classmethod
    def from_usage(cls, usage: sources.Usage) -> Self:
        return cls(companies=usage.companies, persons=usage.persons, deals=usage.deals)


@strawberry.type(description="An acquisition source: a channel that contacts and deals came from.")
class Source(Node):
    name: str
    created_at: datetime

    @strawberry.field(description="How many records use this source now.")
    async def usage(self, info: Info) -> SourceUsage:
        return SourceUsage.from_usage(await info.context.loaders.usage_by_source_id.load(UUID(self.id)))

    @classmethod
    def from_model(cls, source: SourceModel) -> Self:
        return cls(id=strawberry.ID(str(source.id)), name=source.name, created_at=source.created_at)


@strawberry.type
class DeleteSourcePayload:
    deleted_id: strawberry.ID
    detached: SourceUsage = strawberry.field(
        description="The records that used the deleted source (now empty, or moved to replacedWith)."
    )
    replaced_with: Source | None


def load_source(info: Info, source_id: object) -> Related[Source]:
    """A Source, or an awaitable of one (see schema/prefetch.py)."""
    return now_or_later(info.context.loaders.sources_by_id, source_id, Source.from_model)


@strawberry.type
class SourceQuery:
    @strawberry.field
    def source_settings(self, info: Info) -> SourceSettings:
        return SourceSettings.from_model(info.context.account)

    @strawberry.field(description="The account's sources, ordered by name ignoring case.")
    async def sources(self, info: Info) -> list[Source]:
        return [Source.from_model(s) for s in await sources.list_sources(account=info.context.account)]

    @strawberry.field(description="Null when there is no such source in the caller's account.")
    async def source(self, info: Info, id: strawberry.ID) -> Source | None:
        found = await sources.find_source(account=info.context.account, source_id=id)
        return Source.from_model(found) if found else None


@strawberry.type
class SourceMutation:
    @strawberry.mutation(description="Admin only. Arguments left out keep their setting.")
    async def update_source_settings(
        self, info: Info, enabled: bool | None = None, inherit_from_company: bool | None = None
    ) -> SourceSettings:
        require_admin(info.context.user)
        account = await settings.update_source_settings(
            account=info.context.account, enabled=enabled, inherit_from_company=inherit_from_company
        )
        return SourceSettings.from_model(account)

    @strawberry.mutation(
        description="Admin only. The name is trimmed, 1-100 characters, unique in the account "
        "ignoring case (CONFLICT otherwise)."
    )
    async def create_source(self, info: Info, name: str) -> Source:
        require_admin(info.context.user)
        return Source.from_model(await sources.create_source(account=info.context.account, name=name))

    @strawberry.mutation(description="Admin only. Same name rules as createSource.")
    async def rename_source(self, info: Info, id: strawberry.ID, name: str) -> Source:
        require_admin(info.context.user)
        renamed = await sources.rename_source(account=info.context.account, source_id=id, name=name)
        return Source.from_model(renamed)

    @strawberry.mutation(
        description="Admin only. Permanent, so it needs confirm: true. Every company, person and "
        "deal using the source loses it, or moves to replaceWith, in one transaction."
    )
    async def delete_source(
        self, info: Info, id: strawberry.ID, confirm: bool, replace_with: strawberry.ID | None = None
    ) -> DeleteSourcePayload:
        require_admin(info.context.user)
        deleted = await sources.delete_source(
            account=info.context.account, source_id=id, confirm=confirm, replace_with=replace_with
        )
        return DeleteSourcePayload(
            deleted_id=strawberry.ID(str(deleted.deleted_id)),
            detached=SourceUsage.from_usage(deleted.detached),
            replaced_with=Source.from_model(deleted.replaced_with) if deleted.replaced_with else None,
        )
