"""Ids in inputs become records of the caller's account, or NOT_FOUND naming the input field."""

from __future__ import annotations

from uuid import UUID

from models import Account, Company, Person, User
from resolvers.errors import NotFound
from resolvers.ids import parse_id
from resolvers.inputs import OMITTED, Omitted
from resolvers.settings import require_sources_enabled
from resolvers.sources import get_source


async def get_company(*, account: Account, company_id: str | UUID, field: str = "id") -> Company:
    company = await Company.get_or_none(id=parse_id(company_id, what="company"), account=account)
    if company is None:
        raise NotFound("company not found", field=field)
    return company


async def get_person(*, account: Account, person_id: str | UUID, field: str = "id") -> Person:
    person = await Person.get_or_none(id=parse_id(person_id, what="person"), account=account)
    if person is None:
        raise NotFound("person not found", field=field)
    return person


async def company_or_none(*, account: Account, company_id: str | None) -> Company | None:
    """The `companyId` of an input: null means no company."""
    if company_id is None:
        return None
    return await get_company(account=account, company_id=company_id, field="companyId")


async def person_or_none(*, account: Account, person_id: str | None) -> Person | None:
    """The `personId` of an input: null means no person."""
    if person_id is None:
        return None
    return await get_person(account=account, person_id=person_id, field="personId")


async def get_owner(*, account: Account, owner_id: str | UUID) -> User:
    owner = await User.get_or_none(id=parse_id(owner_id, what="user"), account=account)
    if owner is None:
        raise NotFound("owner not found", field="ownerId")
    return owner


async def chosen_source_id(*, account: Account, source_id: str | Omitted | None) -> UUID | Omitted | None:
    """Rule 3: a chosen source must be of this account and sources must be on; null clears."""
    if source_id is OMITTED or source_id is None:
        return source_id
    require_sources_enabled(account)
    source = await get_source(account=account, source_id=source_id, field="sourceId")
    return source.id
