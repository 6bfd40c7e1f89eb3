"""Persons: a source on create and edit, inherited from the company on create (rule 4)."""

from __future__ import annotations

from uuid import UUID

from models import Account, Person, User
from resolvers.filters import RecordFilter, filter_q
from resolvers.inheritance import source_for_new_record
from resolvers.inputs import OMITTED, Omitted
from resolvers.pagination import Page, paginate
from resolvers.records import (
    common_changes,
    create_record,
    delete_record,
    find_record,
    id_or_none,
    owner_for_new_record,
    update_record,
)
from resolvers.references import company_or_none
from resolvers.text import NAME_MAX, clean_email, clean_text

SEARCH_FIELDS = ("first_name", "last_name", "email")


async def find_person(*, account: Account, person_id: str) -> Person | None:
    return await find_record(Person, account=account, record_id=person_id)


async def list_persons(
    *, account: Account, first: int | None, after: str | None, where: RecordFilter
) -> Page[Person]:
    q = filter_q(where, search_fields=SEARCH_FIELDS, company_field="company_id")
    return await paginate(Person.filter(q, account=account), first=first, after=after)


async def create_person(
    *,
    account: Account,
    caller: User,
    first_name: str,
    last_name: str | None,
    email: str | None,
    company_id: str | None,
    source_id: str | Omitted | None,
    owner_id: str | None,
) -> Person:
    company = await company_or_none(account=account, company_id=company_id)
    return await create_record(
        Person,
        account=account,
        first_name=clean_text(first_name, field="firstName", max_length=NAME_MAX),
        last_name=clean_text(last_name or "", field="lastName", max_length=NAME_MAX, required=False),
        email=_email(email),
        company=company,
        source_id=await source_for_new_record(account=account, source_id=source_id, company=company),
        owner=await owner_for_new_record(account=account, caller=caller, owner_id=owner_id),
    )


async def update_person(
    *,
    account: Account,
    person_id: str,
    first_name: str | Omitted | None = OMITTED,
    last_name: str | Omitted | None = OMITTED,
    email: str | Omitted | None = OMITTED,
    company_id: str | Omitted | None = OMITTED,
    source_id: str | Omitted | None = OMITTED,
    owner_id: str | Omitted | None = OMITTED,
) -> Person:
    """Edits never re-inherit: a new company does not bring its source along."""
    changes = await common_changes(account=account, source_id=source_id, owner_id=owner_id)
    if first_name is not OMITTED:
        changes["first_name"] = clean_text(first_name or "", field="firstName", max_length=NAME_MAX)
    if last_name is not OMITTED:
        changes["last_name"] = clean_text(
            last_name or "", field="lastName", max_length=NAME_MAX, required=False
        )
    if email is not OMITTED:
        changes["email"] = _email(email)
    if company_id is not OMITTED:
        changes["company_id"] = id_or_none(await company_or_none(account=account, company_id=company_id))
    return await update_record(Person, account=account, record_id=person_id, what="person", changes=changes)


async def delete_person(*, account: Account, person_id: str) -> UUID:
    """Its deals stay, with the person cleared."""
    return await delete_record(Person, account=account, record_id=person_id, what="person")


def _email(email: str | None) -> str | None:
    if email is None or not email.strip():
        return None
    return clean_email(email)
