"""Persons: names, an email, a company, an owner and a source (inherited from the company on create)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from models import Account, Company, Person, User
from resolvers.deletions import delete_record
from resolvers.filters import RecordFilter, filter_q
from resolvers.inputs import OMITTED, Omitted
from resolvers.pagination import Page, PageRequest, RecordOrder, paginate
from resolvers.records import (
    RecordPatch,
    common_changes,
    create_record,
    id_or_none,
    owner_for_new_record,
    required,
    update_record,
)
from resolvers.scope import find_in_account, optional_in_account
from resolvers.text import NAME_MAX, clean_email, clean_text


@dataclass(frozen=True)
class PersonPatch(RecordPatch):
    first_name: str | Omitted | None = OMITTED
    last_name: str | Omitted | None = OMITTED
    email: str | Omitted | None = OMITTED
    company_id: str | Omitted | None = OMITTED


async def find_person(*, account: Account, person_id: str) -> Person | None:
    return await find_in_account(Person, account=account, record_id=person_id)


async def list_persons(
    *, account: Account, page: PageRequest, where: RecordFilter, order: RecordOrder = RecordOrder.NEWEST_FIRST
) -> Page[Person]:
    q = await filter_q(where, account=account, model=Person, company_field="company_id")
    return await paginate(Person.filter(q, account=account), request=page, ordering=order.ordering)


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
    company = await optional_in_account(Company, account=account, record_id=company_id, field="companyId")
    return await create_record(
        Person,
        account=account,
        by=caller,
        company=company,
        first_name=clean_text(first_name, field="firstName", max_length=NAME_MAX),
        last_name=_last_name(last_name),
        email=_email(email),
        source_id=source_id,
        owner=await owner_for_new_record(account=account, caller=caller, owner_id=owner_id),
    )


async def update_person(*, account: Account, caller: User, person_id: str, patch: PersonPatch) -> Person:
    """A new company does not bring its source along: edits never re-inherit."""
    changes = await common_changes(account=account, patch=patch)
    if patch.first_name is not OMITTED:
        first_name = required(patch.first_name, field="firstName")
        changes["first_name"] = clean_text(first_name, field="firstName", max_length=NAME_MAX)
    if patch.last_name is not OMITTED:
        changes["last_name"] = _last_name(patch.last_name)
    if patch.email is not OMITTED:
        changes["email"] = _email(patch.email)
    if patch.company_id is not OMITTED:
        company = await optional_in_account(
            Company, account=account, record_id=patch.company_id, field="companyId"
        )
        changes["company_id"] = id_or_none(company)
    return await update_record(
        Person, account=account, by=caller, record_id=person_id, changes=changes, source_id=patch.source_id
    )


async def delete_person(*, account: Account, person_id: str) -> UUID:
    """Its deals stay, with the person cleared and a new updatedAt (resolvers/deletions.py)."""
    return await delete_record(Person, account=account, record_id=person_id)


def _last_name(last_name: str | None) -> str:
    return clean_text(last_name or "", field="lastName", max_length=NAME_MAX, required=False)


def _email(email: str | None) -> str | None:
    if email is None or not email.strip():
        return None
    return clean_email(email)
