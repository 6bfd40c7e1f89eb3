"""Companies: a name, an owner and a source chosen on create and edit."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from models import Account, Company, User
from resolvers.assignment import source_on_create
from resolvers.filters import RecordFilter, filter_q
from resolvers.inputs import OMITTED, Omitted
from resolvers.pagination import Page, PageRequest, paginate
from resolvers.records import (
    RecordPatch,
    common_changes,
    create_record,
    delete_record,
    owner_for_new_record,
    required,
    update_record,
)
from resolvers.scope import find_in_account
from resolvers.text import TITLE_MAX, clean_text


@dataclass(frozen=True)
class CompanyPatch(RecordPatch):
    name: str | Omitted | None = OMITTED


async def find_company(*, account: Account, company_id: str) -> Company | None:
    return await find_in_account(Company, account=account, record_id=company_id)


async def list_companies(*, account: Account, page: PageRequest, where: RecordFilter) -> Page[Company]:
    q = filter_q(where, model=Company, company_field="id")
    return await paginate(Company.filter(q, account=account), request=page)


async def create_company(
    *, account: Account, caller: User, name: str, source_id: str | Omitted | None, owner_id: str | None
) -> Company:
    assignment = await source_on_create(account=account, source_id=source_id)
    return await create_record(
        Company,
        account=account,
        name=clean_text(name, field="name", max_length=TITLE_MAX),
        source_id=assignment.source_id,
        owner=await owner_for_new_record(account=account, caller=caller, owner_id=owner_id),
    )


async def update_company(*, account: Account, company_id: str, patch: CompanyPatch) -> Company:
    changes = await common_changes(account=account, patch=patch)
    if patch.name is not OMITTED:
        name = required(patch.name, field="name")
        changes["name"] = clean_text(name, field="name", max_length=TITLE_MAX)
    return await update_record(Company, account=account, record_id=company_id, changes=changes)


async def delete_company(*, account: Account, company_id: str) -> UUID:
    """Its persons and deals stay, with the company cleared (ON DELETE SET NULL)."""
    return await delete_record(Company, account=account, record_id=company_id)
