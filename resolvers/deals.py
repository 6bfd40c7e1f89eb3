"""Deals: a value in cents, a status, a source (inherited from the company on create)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from models import Account, Deal, DealStatus, User
from resolvers.errors import BadUserInput
from resolvers.filters import RecordFilter, filter_q
from resolvers.inheritance import source_for_new_record
from resolvers.inputs import OMITTED, Omitted
from resolvers.money import to_cents
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
from resolvers.references import company_or_none, person_or_none
from resolvers.text import TITLE_MAX, clean_text


async def find_deal(*, account: Account, deal_id: str) -> Deal | None:
    return await find_record(Deal, account=account, record_id=deal_id)


async def list_deals(
    *, account: Account, first: int | None, after: str | None, where: RecordFilter
) -> Page[Deal]:
    q = filter_q(where, search_fields=("title",), company_field="company_id")
    return await paginate(Deal.filter(q, account=account), first=first, after=after)


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
    company = await company_or_none(account=account, company_id=company_id)
    person = await person_or_none(account=account, person_id=person_id)
    return await create_record(
        Deal,
        account=account,
        title=clean_text(title, field="title", max_length=TITLE_MAX),
        value_cents=to_cents(value) if value is not None else 0,
        status=status or DealStatus.OPEN,
        company=company,
        person=person,
        source_id=await source_for_new_record(account=account, source_id=source_id, company=company),
        owner=await owner_for_new_record(account=account, caller=caller, owner_id=owner_id),
    )


async def update_deal(
    *,
    account: Account,
    deal_id: str,
    title: str | Omitted | None = OMITTED,
    value: Decimal | Omitted | None = OMITTED,
    status: DealStatus | Omitted | None = OMITTED,
    company_id: str | Omitted | None = OMITTED,
    person_id: str | Omitted | None = OMITTED,
    source_id: str | Omitted | None = OMITTED,
    owner_id: str | Omitted | None = OMITTED,
) -> Deal:
    changes: dict[str, Any] = await common_changes(account=account, source_id=source_id, owner_id=owner_id)
    if title is not OMITTED:
        changes["title"] = clean_text(title or "", field="title", max_length=TITLE_MAX)
    if value is not OMITTED:
        if value is None:
            raise BadUserInput("value cannot be null", field="value")
        changes["value_cents"] = to_cents(value)
    if status is not OMITTED:
        if status is None:
            raise BadUserInput("status cannot be null", field="status")
        changes["status"] = status
    if company_id is not OMITTED:
        changes["company_id"] = id_or_none(await company_or_none(account=account, company_id=company_id))
    if person_id is not OMITTED:
        changes["person_id"] = id_or_none(await person_or_none(account=account, person_id=person_id))
    return await update_record(Deal, account=account, record_id=deal_id, what="deal", changes=changes)


async def delete_deal(*, account: Account, deal_id: str) -> UUID:
    return await delete_record(Deal, account=account, record_id=deal_id, what="deal")
