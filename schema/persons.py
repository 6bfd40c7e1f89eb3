from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

import strawberry

from models import Person as PersonModel
from resolvers import persons
from schema.companies import COMPANIES, SOURCE_ID_DOC, Company
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

INHERIT_DOC = (
    SOURCE_ID_DOC + " Left out on create, with inheritFromCompany on, the company's source is taken."
)


@strawberry.type
class Person(Node, Attributed):
    first_name: str
    last_name: str
    email: str | None
    created_at: datetime
    updated_at: datetime
    company_id: strawberry.Private[object]
    source_id: strawberry.Private[object]
    owner_id: strawberry.Private[object]

    company = relation_field(COMPANIES, "company_id", graphql_type=Company | None)
    source = relation_field(RECORD_SOURCES, "source_id", graphql_type=Source | None)
    owner = relation_field(USERS, "owner_id", graphql_type=User)

    @classmethod
    def from_model(cls, person: PersonModel) -> Self:
        return cls(
            id=strawberry.ID(str(person.id)),
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
            created_at=person.created_at,
            updated_at=person.updated_at,
            company_id=person.company_id,
            source_id=person.source_id,
            owner_id=person.owner_id,
            source_origin=person.source_origin,
            first_source_id=person.first_source_id,
            first_source_at=person.first_source_at,
            record_model=PersonModel,
        )


PERSONS = Relation("persons_by_id", Person.from_model)


@strawberry.input
class CreatePersonInput:
    first_name: str
    last_name: str | None = None
    email: str | None = None
    company_id: strawberry.ID | None = None
    source_id: strawberry.Maybe[strawberry.ID | None] = strawberry.field(description=INHERIT_DOC)
    owner_id: strawberry.ID | None = strawberry.field(
        default=None, description="A user of the account; defaults to the caller."
    )


@strawberry.input(description="Fields left out keep their value; null clears optional ones.")
class UpdatePersonInput:
    first_name: strawberry.Maybe[str | None]
    last_name: strawberry.Maybe[str | None]
    email: strawberry.Maybe[str | None]
    company_id: strawberry.Maybe[strawberry.ID | None] = strawberry.field(
        description="Changing the company never changes the source."
    )
    source_id: strawberry.Maybe[strawberry.ID | None] = strawberry.field(description=SOURCE_ID_DOC)
    owner_id: strawberry.Maybe[strawberry.ID | None]


@strawberry.type
class PersonQuery:
    @strawberry.field(description="Null when there is no such person in the caller's account.")
    async def person(self, info: Info, id: strawberry.ID) -> Person | None:
        found = await persons.find_person(account=info.context.account, person_id=id)
        return Person.from_model(found) if found else None

    @strawberry.field(description=LIST_DOC)
    async def persons(
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
    ) -> Connection[Person]:
        page = await persons.list_persons(
            account=info.context.account,
            page=page_request(info, first, after, last, before),
            where=(filter or ContactFilter()).to_filter(),
            order=order_by or RecordOrder.NEWEST_FIRST,
        )
        return await Connection[Person].from_page(info, page, Person.from_model)


@strawberry.type
class PersonMutation:
    @strawberry.mutation
    async def create_person(self, info: Info, input: CreatePersonInput) -> Person:
        person = await persons.create_person(
            account=info.context.account,
            caller=info.context.user,
            first_name=input.first_name,
            last_name=input.last_name,
            email=input.email,
            company_id=input.company_id,
            source_id=given(input.source_id),
            owner_id=input.owner_id,
        )
        return Person.from_model(person)

    @strawberry.mutation
    async def update_person(self, info: Info, id: strawberry.ID, input: UpdatePersonInput) -> Person:
        person = await persons.update_person(
            account=info.context.account,
            caller=info.context.user,
            person_id=id,
            patch=patch_of(persons.PersonPatch, input),
        )
        return Person.from_model(person)

    @strawberry.mutation(description="The person's deals stay, with the person cleared.")
    async def delete_person(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        return strawberry.ID(str(await persons.delete_person(account=info.context.account, person_id=id)))
