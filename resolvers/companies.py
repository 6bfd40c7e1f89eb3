"""Companies (contract rule 3: a source can be chosen on create and edit)."""

from __future__ import annotations

from uuid import UUID

from models import Account, Company, User
from resolvers.filters import RecordFilter, filter_q
from resolvers.inputs import Omitted
from resolvers.pagination import Page, paginate
from resolvers.records import (
    common_changes,
    create_record,
    delete_record,
    find_record,
    owner_for_new_record,
    update_record,
)
from resolvers.references import chosen_source_id
from resolvers.text import TITLE_MAX, clean_text


async def find_company(*, account: Account, company_id: str) -> Company | None:
    return await find_record(Company, account=account, record_id=company_id)


async def list_companies(
    *, account: Account, first: int | None, after: str | None, where: RecordFilter
) -> Page[Company]:
    q = filter_q(where, search_fields=("name",), company_field="id")
    return await paginate(Company.filter(q, account=account), first=first, after=after)


async def create_company(
    *, account: Account, caller: User, name: str, source_id: str | Omitted | None, owner_id: str | None
) -> Company:
    source = await chosen_source_id(account=account, source_id=source_id)
    return await create_record(
        Company,
        account=account,
        name=clean_text(name, field="name", max_length=TITLE_MAX),
        source_id=source if isinstance(source, UUID) else None,
        owner=await owner_for_new_record(account=account, caller=caller, owner_id=owner_id),
    )


async def update_company(
    *,
    account: Account,
    company_id: str,
    name: str | Omitted | None,
    source_id: str | Omitted | None,
    owner_id: str | Omitted | None,
) -> Company:
    changes = await common_changes(account=account, source_id=source_id, owner_id=owner_id)
    if isinstance(name, str) or name is None:
        changes["name"] = clean_text(name or "", field="name", max_length=TITLE_MAX)
    return await update_record(
        Company, account=account, record_id=company_id, what="company", changes=changes
    )


async def delete_company(*, account: Account, company_id: str) -> UUID:
    """Its persons and deals stay, with the company cleared (ON DELETE SET NULL)."""
    return await delete_record(Company, account=account, record_id=company_id, what="company")
