"""Deals: a title, a value in cents, a status, a company, a person, an owner and a source."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from models import Account, Company, Deal, DealStatus, Person, User
from resolvers.deletions import delete_record
from resolvers.filters import RecordFilter, filter_q
from resolvers.inputs import OMITTED, Omitted
from resolvers.money import to_cents
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
from resolvers.text import TITLE_MAX, clean_text


@dataclass(frozen=True)
class DealPatch(RecordPatch):
    title: str | Omitted | None = OMITTED
    value: Decimal | Omitted | None = OMITTED
    status: DealStatus | Omitted | None = OMITTED
    company_id: str | Omitted | None = OMITTED
    person_id: str | Omitted | None = OMITTED


async def find_deal(*, account: Account, deal_id: str) -> Deal | None:
    return await find_in_account(Deal, account=account, record_id=deal_id)


async def list_deals(
    *, account: Account, page: PageRequest, where: RecordFilter, order: RecordOrder = RecordOrder.NEWEST_FIRST
) -> Page[Deal]:
    q = await filter_q(where, account=account, model=Deal, company_field="company_id")
    return await paginate(Deal.filter(q, account=account), request=page, ordering=order.ordering)


async def create_deal(
    *,
    account: Account,
    caller: User,
    title: str,
    value: Decimal | None,
    status: DealStatus | None,
    company_id: str | None,
    person_id: str | None,
    source_id: str | Omitted | None,
    owner_id: str | None,
) -> Deal:
    company = await optional_in_account(Company, account=account, record_id=company_id, field="companyId")
    person = await optional_in_account(Person, account=account, record_id=person_id, field="personId")
    return await create_record(
        Deal,
        account=account,
        by=caller,
        company=company,
        title=clean_text(title, field="title", max_length=TITLE_MAX),
        value_cents=to_cents(value) if value is not None else 0,
        status=status or DealStatus.OPEN,
        person=person,
        source_id=source_id,
        owner=await owner_for_new_record(account=account, caller=caller, owner_id=owner_id),
    )


async def update_deal(*, account: Account, caller: User, deal_id: str, patch: DealPatch) -> Deal:
    changes = await common_changes(account=account, patch=patch)
    if patch.title is not OMITTED:
        changes["title"] = clean_text(
            required(patch.title, field="title"), field="title", max_length=TITLE_MAX
        )
    if patch.value is not OMITTED:
        changes["value_cents"] = to_cents(required(patch.value, field="value"))
    if patch.status is not OMITTED:
        changes["status"] = required(patch.status, field="status")
    if patch.company_id is not OMITTED:
        company = await optional_in_account(
            Company, account=account, record_id=patch.company_id, field="companyId"
        )
        changes["company_id"] = id_or_none(company)
    if patch.person_id is not OMITTED:
        person = await optional_in_account(
            Person, account=account, record_id=patch.person_id, field="personId"
        )
        changes["person_id"] = id_or_none(person)
    return await update_record(
        Deal, account=account, by=caller, record_id=deal_id, changes=changes, source_id=patch.source_id
    )


async def delete_deal(*, account: Account, deal_id: str) -> UUID:
    return await delete_record(Deal, account=account, record_id=deal_id)
