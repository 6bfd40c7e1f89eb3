from __future__ import annotations

from datetime import datetime
from typing import Self
from uuid import UUID

import strawberry

from models import Account
from models import Source as SourceModel
from resolvers import settings, sources
from resolvers.auth import require_admin
from resolvers.palette import PALETTE
from schema.context import Info
from schema.inputs import patch_of
from schema.node import Node
from schema.prefetch import Relation


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
    color: str = strawberry.field(
        description='"#RRGGBB", upper case. Chosen by an admin, or the palette colour '
        f"(Paul Tol's 12-colour qualitative scheme: {', '.join(PALETTE)}) that the fewest of "
        "the account's sources use when the source was created; ties in palette order."
    )
    position: int = strawberry.field(
        description="0, 1, 2 … over all of the account's sources, archived ones included: the "
        "order of `sources` and of pickers. A new source goes last; deleting and merging close "
        "the gaps."
    )
    archived: bool = strawberry.field(
        description="Archived sources stay on their records and in statistics, but are left out "
        "of `sources` and cannot be newly assigned (SOURCE_ARCHIVED)."
    )
    archived_at: datetime | None = strawberry.field(description="Null unless archived.")

    @strawberry.field(description="How many records use this source now.")
    async def usage(self, info: Info) -> SourceUsage:
        return SourceUsage.from_usage(await info.context.loaders.usage_by_source_id.load(UUID(self.id)))

    @classmethod
    def from_model(cls, source: SourceModel) -> Self:
        return cls(
            id=strawberry.ID(str(source.id)),
            name=source.name,
            created_at=source.created_at,
            color=source.color,
            position=source.position,
            archived=source.archived,
            archived_at=source.archived_at,
        )


@strawberry.type
class DeleteSourcePayload:
    deleted_id: strawberry.ID
    detached: SourceUsage = strawberry.field(
        description="The records that used the deleted source (now empty, or moved to replacedWith)."
    )
    replaced_with: Source | None


@strawberry.type
class MergeSourcesPayload:
    into: Source = strawberry.field(description="The source the records moved to.")
    merged_ids: list[strawberry.ID] = strawberry.field(description="The merged (now deleted) sources.")
    moved: SourceUsage = strawberry.field(description="The records that moved to `into`.")


@strawberry.input(description="Fields left out keep their value; neither may be null.")
class UpdateSourceInput:
    name: strawberry.Maybe[str | None] = strawberry.field(description="Same rules as createSource.")
    color: strawberry.Maybe[str | None] = strawberry.field(description="#RRGGBB, any case.")


SOURCES = Relation("sources_by_id", Source.from_model)  # live sources by id (history entries)
RECORD_SOURCES = Relation("record_sources_by_id", Source.from_model)  # what a record's stored id means


@strawberry.type
class SourceQuery:
    @strawberry.field
    def source_settings(self, info: Info) -> SourceSettings:
        return SourceSettings.from_model(info.context.account)

    @strawberry.field(
        description="The account's sources ordered by position; archived ones only with "
        "includeArchived: true."
    )
    async def sources(self, info: Info, include_archived: bool | None = False) -> list[Source]:
        found = await sources.list_sources(
            account=info.context.account, include_archived=bool(include_archived)
        )
        return [Source.from_model(s) for s in found]

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
        'ignoring case (CONFLICT otherwise). color: "#RRGGBB", any case; left out or null, the '
        "palette colour the fewest of the account's sources use. The new source goes last."
    )
    async def create_source(self, info: Info, name: str, color: str | None = None) -> Source:
        require_admin(info.context.user)
        created = await sources.create_source(account=info.context.account, name=name, color=color)
        return Source.from_model(created)

    @strawberry.mutation(description="Admin only. Same name rules as createSource.")
    async def rename_source(self, info: Info, id: strawberry.ID, name: str) -> Source:
        require_admin(info.context.user)
        renamed = await sources.rename_source(account=info.context.account, source_id=id, name=name)
        return Source.from_model(renamed)

    @strawberry.mutation(description="Admin only. Renames and/or recolours; archived sources too.")
    async def update_source(self, info: Info, id: strawberry.ID, input: UpdateSourceInput) -> Source:
        require_admin(info.context.user)
        updated = await sources.update_source(
            account=info.context.account, source_id=id, patch=patch_of(sources.SourcePatch, input)
        )
        return Source.from_model(updated)

    @strawberry.mutation(
        description="Admin only. The listed sources take positions 0…n-1 in that order; every "
        "other source, archived ones included, keeps its relative order after them. A repeated "
        "id is BAD_USER_INPUT, an id not in the account NOT_FOUND. Returns every source of the "
        "account in the new order, archived ones included."
    )
    async def reorder_sources(self, info: Info, ids: list[strawberry.ID]) -> list[Source]:
        require_admin(info.context.user)
        ordered = await sources.reorder_sources(account=info.context.account, ids=[str(i) for i in ids])
        return [Source.from_model(s) for s in ordered]

    @strawberry.mutation(
        description="Admin only. Leaves the source out of `sources` and refuses it as a new "
        "sourceId (SOURCE_ARCHIVED); its records keep it. Archiving an archived source changes "
        "nothing."
    )
    async def archive_source(self, info: Info, id: strawberry.ID) -> Source:
        require_admin(info.context.user)
        return Source.from_model(await sources.archive_source(account=info.context.account, source_id=id))

    @strawberry.mutation(description="Admin only. Back in `sources`, at the position it kept.")
    async def restore_source(self, info: Info, id: strawberry.ID) -> Source:
        require_admin(info.context.user)
        return Source.from_model(await sources.restore_source(account=info.context.account, source_id=id))

    @strawberry.mutation(
        description="Admin only. Permanent, so it needs confirm: true. Every company, person and "
        "deal using the source loses it (and its origin: history entry DELETED), or moves to "
        "replaceWith keeping its origin (REPLACED), in one transaction; first sources on it are "
        "cleared or move to replaceWith alike. Their updatedAt is bumped."
    )
    async def delete_source(
        self, info: Info, id: strawberry.ID, confirm: bool, replace_with: strawberry.ID | None = None
    ) -> DeleteSourcePayload:
        require_admin(info.context.user)
        deleted = await sources.delete_source(
            account=info.context.account,
            caller=info.context.user,
            source_id=id,
            confirm=confirm,
            replace_with=replace_with,
        )
        return DeleteSourcePayload(
            deleted_id=strawberry.ID(str(deleted.deleted_id)),
            detached=SourceUsage.from_usage(deleted.detached),
            replaced_with=Source.from_model(deleted.replaced_with) if deleted.replaced_with else None,
        )

    @strawberry.mutation(
        description="Admin only. ids: 1-50 distinct sources of the account, not containing "
        "into; confirm: true. In one transaction every company, person and deal on one of ids "
        "moves to into, keeping its origin (history entry MERGED), first sources on them become "
        "into (updatedAt bumped), then ids are deleted."
    )
    async def merge_sources(
        self, info: Info, ids: list[strawberry.ID], into: strawberry.ID, confirm: bool
    ) -> MergeSourcesPayload:
        require_admin(info.context.user)
        merged = await sources.merge_sources(
            account=info.context.account,
            caller=info.context.user,
            ids=[str(i) for i in ids],
            into=into,
            confirm=confirm,
        )
        return MergeSourcesPayload(
            into=Source.from_model(merged.into),
            merged_ids=[strawberry.ID(str(i)) for i in merged.merged_ids],
            moved=SourceUsage.from_usage(merged.moved),
        )
