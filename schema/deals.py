from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Self

import strawberry

from models import Deal as DealModel
from resolvers import deals
from resolvers.money import from_cents
from schema.companies import COMPANIES, SOURCE_ID_DOC, Company
from schema.context import Info
from schema.enums import DealStatus, RecordOrder
from schema.filters import DealFilter
from schema.history import Attributed
from schema.inputs import given, patch_of
from schema.node import Node
from schema.pagination import FIRST_DEFAULT, LIST_DOC, ORDER_DOC, Connection, page_request
from schema.persons import INHERIT_DOC, PERSONS, Person
from schema.prefetch import relation_field
from schema.sources import RECORD_SOURCES, Source
from schema.users import USERS, User

VALUE_DOC = "Non-negative, at most two decimals."


@strawberry.type
class Deal(Node, Attributed):
    title: str
    value: Decimal = strawberry.field(description='Serialised with two decimals, e.g. "1250.00".')
    status: DealStatus
    created_at: datetime
    updated_at: datetime
    company_id: strawberry.Private[object]
    person_id: strawberry.Private[object]
    source_id: strawberry.Private[object]
    owner_id: strawberry.Private[object]

    company = relation_field(COMPANIES, "company_id", graphql_type=Company | None)
    person = relation_field(PERSONS, "person_id", graphql_type=Person | None)
    source = relation_field(RECORD_SOURCES, "source_id", graphql_type=Source | None)
    owner = relation_field(USERS, "owner_id", graphql_type=User)

    @classmethod
    def from_model(cls, deal: DealModel) -> Self:
        return cls(
            id=strawberry.ID(str(deal.id)),
            title=deal.title,
            value=from_cents(deal.value_cents),
            status=deal.status,
            created_at=deal.created_at,
            updated_at=deal.updated_at,
            company_id=deal.company_id,
            person_id=deal.person_id,
            source_id=deal.source_id,
            owner_id=deal.owner_id,
            source_origin=deal.source_origin,
            first_source_id=deal.first_source_id,
            first_source_at=deal.first_source_at,
            record_model=DealModel,
        )


@strawberry.input
class CreateDealInput:
    title: str
    value: Decimal | None = strawberry.field(default=None, description=VALUE_DOC + " Default 0.")
    status: DealStatus | None = strawberry.field(default=None, description="Default OPEN.")
    company_id: strawberry.ID | None = None
    person_id: strawberry.ID | None = None
    source_id: strawberry.Maybe[strawberry.ID | None] = strawberry.field(description=INHERIT_DOC)
    owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="A user of the account; defaults to the caller."
    )


@strawberry.input(description="Fields left out keep their value; null clears optional ones.")
class UpdateDealInput:
    title: strawberry.Maybe[str | None]
    value: strawberry.Maybe[Decimal | None] = strawberry.field(description=VALUE_DOC)
    status: strawberry.Maybe[DealStatus | None]
    company_id: strawberry.Maybe[strawberry.ID | None]
    person_id: strawberry.Maybe[strawberry.ID | None]
    source_id: strawberry.Maybe[strawberry.ID | None] = strawberry.field(description=SOURCE_ID_DOC)
    owner_id: strawberry.Maybe[strawberry.ID | None]


@strawberry.type
class DealQuery:
    @strawberry.field(description="Null when there is no such deal in the caller's account.")
    async def deal(self, info: Info, id: strawberry.ID) -> Deal | None:
        found = await deals.find_deal(account=info.context.account, deal_id=id)
        return Deal.from_model(found) if found else None

    @strawberry.field(description=LIST_DOC)
    async def deals(
        self,
        info: Info,
        first: int | None = FIRST_DEFAULT,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: DealFilter | None = None,
        order_by: Annotated[RecordOrder | None, strawberry.argument(description=ORDER_DOC)] = (
            RecordOrder.NEWEST_FIRST
        ),
    ) -> Connection[Deal]:
        page = await deals.list_deals(
            account=info.context.account,
            page=page_request(info, first, after, last, before),
            where=(filter or DealFilter()).to_filter(),
            order=order_by or RecordOrder.NEWEST_FIRST,
        )
        return await Connection[Deal].from_page(info, page, Deal.from_model)


@strawberry.type
class DealMutation:
    @strawberry.mutation
    async def create_deal(self, info: Info, input: CreateDealInput) -> Deal:
        deal = await deals.create_deal(
            account=info.context.account,
            caller=info.context.user,
            title=input.title,
            value=input.value,
            status=input.status,
            company_id=input.company_id,
            person_id=input.person_id,
            source_id=given(input.source_id),
            owner_id=input.owner_id,
        )
        return Deal.from_model(deal)

    @strawberry.mutation
    async def update_deal(self, info: Info, id: strawberry.ID, input: UpdateDealInput) -> Deal:
        deal = await deals.update_deal(
            account=info.context.account,
            caller=info.context.user,
            deal_id=id,
            patch=patch_of(deals.DealPatch, input),
        )
        return Deal.from_model(deal)

    @strawberry.mutation
    async def delete_deal(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        return strawberry.ID(str(await deals.delete_deal(account=info.context.account, deal_id=id)))
