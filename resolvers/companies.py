"""Companies: a name, an owner and a source chosen on create and edit."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from models import Account, Company, User
from resolvers.aliases import share_meant
from resolvers.assignment import Usage, apply_to_company_records, require_sources_enabled
from resolvers.deletions import delete_record
from resolvers.errors import BadUserInput, NotFound
from resolvers.filters import RecordFilter, filter_q
from resolvers.ids import as_uuid_or_none
from resolvers.inputs import OMITTED, Omitted
from resolvers.locks import lock_source_list, refresh_switches, write_transaction
from resolvers.pagination import Page, PageRequest, RecordOrder, paginate
from resolvers.records import (
    RecordPatch,
    common_changes,
    create_record,
    owner_for_new_record,
    required,
    update_record,
)
from resolvers.scope import find_in_account, get_in_account
from resolvers.text import TITLE_MAX, clean_text


@dataclass(frozen=True)
class CompanyPatch(RecordPatch):
    name: str | Omitted | None = OMITTED


async def find_company(*, account: Account, company_id: str) -> Company | None:
    return await find_in_account(Company, account=account, record_id=company_id)


async def list_companies(
    *, account: Account, page: PageRequest, where: RecordFilter, order: RecordOrder = RecordOrder.NEWEST_FIRST
) -> Page[Company]:
    q = await filter_q(where, account=account, model=Company, company_field="id")
    return await paginate(Company.filter(q, account=account), request=page, ordering=order.ordering)


async def create_company(
    *, account: Account, caller: User, name: str, source_id: str | Omitted | None, owner_id: str | None
) -> Company:
    return await create_record(
        Company,
        account=account,
        by=caller,
        name=clean_text(name, field="name", max_length=TITLE_MAX),
        source_id=source_id,
        owner=await owner_for_new_record(account=account, caller=caller, owner_id=owner_id),
    )


async def update_company(*, account: Account, caller: User, company_id: str, patch: CompanyPatch) -> Company:
    changes = await common_changes(account=account, patch=patch)
    if patch.name is not OMITTED:
        name = required(patch.name, field="name")
        changes["name"] = clean_text(name, field="name", max_length=TITLE_MAX)
    return await update_record(
        Company, account=account, by=caller, record_id=company_id, changes=changes, source_id=patch.source_id
    )


@dataclass(frozen=True)
class AppliedSource:
    company: Company
    changed: Usage  # persons and deals whose source changed


async def apply_company_source(
    *, account: Account, caller: User, company_id: str, overwrite: bool
) -> AppliedSource:
    """The company's source onto the persons and deals tied to it: those without a source, or
    all of them with `overwrite` (any user). An archived source is copied too. SOURCES_DISABLED
    while sources are off; BAD_USER_INPUT when the company has no source."""
    require_sources_enabled(account, field=None)
    company = await get_in_account(Company, account=account, record_id=company_id, field="companyId")
    async with write_transaction():
        await lock_source_list(account)  # no merge or delete moves the company's source meanwhile
        await refresh_switches(account)
        require_sources_enabled(account, field=None)
        current = await Company.filter(id=company.id).values_list("source_id", flat=True)
        if not current:
            raise NotFound("company not found", field="companyId")
        held = await share_meant(account, as_uuid_or_none(current[0]))
        company.source_id = None if held is None else str(held.id)
        if held is None:
            raise BadUserInput("the company has no source to apply", field="companyId")
        changed = await apply_to_company_records(
            account=account, by=caller.id, company_id=company.id, source=held, overwrite=overwrite
        )
    return AppliedSource(company=company, changed=changed)


async def delete_company(*, account: Account, company_id: str) -> UUID:
    """Its persons and deals stay, with the company cleared and a new updatedAt (resolvers/deletions.py)."""
    return await delete_record(Company, account=account, record_id=company_id)
