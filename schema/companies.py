from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

import strawberry

from models import Company as CompanyModel
from resolvers import companies
from schema.context import Info
from schema.enums import RecordOrder
from schema.filters import ContactFilter
from schema.history import Attributed
from schema.inputs import given, patch_of
from schema.node import Node
from schema.pagination import FIRST_DEFAULT, LIST_DOC, ORDER_DOC, Connection, page_request
from schema.prefetch import Relation, relation_field
from schema.sources import RECORD_SOURCES, Source
from schema.users import USERS, User

SOURCE_ID_DOC = (
    "A source of the caller's account (NOT_FOUND otherwise); SOURCES_DISABLED while sources "
    "are switched off. On edit, null clears it and leaving it out keeps it."
)


@strawberry.type
class Company(Node, Attributed):
    name: str
    created_at: datetime
    updated_at: datetime
    source_id: strawberry.Private[object]
    owner_id: strawberry.Private[object]

    source = relation_field(RECORD_SOURCES, "source_id", graphql_type=Source | None)
    owner = relation_field(USERS, "owner_id", graphql_type=User)

    @classmethod
    def from_model(cls, company: CompanyModel) -> Self:
        return cls(
            id=strawberry.ID(str(company.id)),
            name=company.name,
            created_at=company.created_at,
            updated_at=company.updated_at,
            source_id=company.source_id,
            owner_id=company.owner_id,
            source_origin=company.source_origin,
            first_source_id=company.first_source_id,
            first_source_at=company.first_source_at,
            record_model=CompanyModel,
        )


COMPANIES = Relation("companies_by_id", Company.from_model)


@strawberry.input
class CreateCompanyInput:
    name: str
    source_id: strawberry.Maybe[strawberry.ID | None] = strawberry.field(description=SOURCE_ID_DOC)
    owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="A user of the account; defaults to the caller."
    )


@strawberry.input
class UpdateCompanyInput:
    name: strawberry.Maybe[str | None]
    source_id: strawberry.Maybe[strawberry.ID | None] = strawberry.field(description=SOURCE_ID_DOC)
    owner_id: strawberry.Maybe[strawberry.ID | None]


@strawberry.type
class ApplyCompanySourcePayload:
    company: Company
    persons: int = strawberry.field(description="Persons whose source changed.")
    deals: int = strawberry.field(description="Deals whose source changed.")


@strawberry.type
class CompanyQuery:
    @strawberry.field(description="Null when there is no such company in the caller's account.")
    async def company(self, info: Info, id: strawberry.ID) -> Company | None:
        found = await companies.find_company(account=info.context.account, company_id=id)
        return Company.from_model(found) if found else None

    @strawberry.field(description=LIST_DOC)
    async def companies(
        self,
        info: Info,
        first: int | None = FIRST_DEFAULT,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ContactFilter | None = None,
        order_by: Annotated[RecordOrder | None, strawberry.argument(description=ORDER_DOC)] = (
            RecordOrder.NEWEST_FIRST
        ),
    ) -> Connection[Company]:
        page = await companies.list_companies(
            account=info.context.account,
            page=page_request(info, first, after, last, before),
            where=(filter or ContactFilter()).to_filter(),
            order=order_by or RecordOrder.NEWEST_FIRST,
        )
        return await Connection[Company].from_page(info, page, Company.from_model)


@strawberry.type
class CompanyMutation:
    @strawberry.mutation
    async def create_company(self, info: Info, input: CreateCompanyInput) -> Company:
        company = await companies.create_company(
            account=info.context.account,
            caller=info.context.user,
            name=input.name,
            source_id=given(input.source_id),
            owner_id=input.owner_id,
        )
        return Company.from_model(company)

    @strawberry.mutation(description="Fields left out keep their value.")
    async def update_company(self, info: Info, id: strawberry.ID, input: UpdateCompanyInput) -> Company:
        company = await companies.update_company(
            account=info.context.account,
            caller=info.context.user,
            company_id=id,
            patch=patch_of(companies.CompanyPatch, input),
        )
        return Company.from_model(company)

    @strawberry.mutation(
        description="Any user. Gives the company's source to the persons and deals tied to the "
        "company: those without a source, or with overwrite: true all of them (an archived "
        "source too), whose origin becomes INHERITED. Counts only records that changed, and bumps "
        "their updatedAt; each gets an APPLIED history entry. "
        "SOURCES_DISABLED while sources are off; BAD_USER_INPUT when the company has no source."
    )
    async def apply_company_source(
        self, info: Info, company_id: strawberry.ID, overwrite: bool | None = False
    ) -> ApplyCompanySourcePayload:
        applied = await companies.apply_company_source(
            account=info.context.account,
            caller=info.context.user,
            company_id=company_id,
            overwrite=bool(overwrite),
        )
        return ApplyCompanySourcePayload(
            company=Company.from_model(applied.company),
            persons=applied.changed.persons,
            deals=applied.changed.deals,
        )

    @strawberry.mutation(description="Its persons and deals stay, with the company cleared.")
    async def delete_company(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        deleted = await companies.delete_company(account=info.context.account, company_id=id)
        return strawberry.ID(str(deleted))
