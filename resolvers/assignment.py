"""Which source a company, person or deal gets, and why: the one place for that rule.

- The switch: while sources are off for the account, no source may be assigned (clearing one
  still works); reading, managing sources and statistics keep working.
- Choosing: a chosen source must belong to the caller's account (NOT_FOUND otherwise).
- Inheritance: a person or deal created with a company and without a `sourceId` takes the
  company's source at that moment, when the account has inheritance (and sources) on. An
  explicit `sourceId`, null included, always wins; edits never re-inherit.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from models import Account, Company, Source
from resolvers.errors import SourcesDisabled
from resolvers.ids import as_uuid
from resolvers.inputs import OMITTED, Omitted
from resolvers.scope import get_in_account


@dataclass(frozen=True)
class Assignment:
    """The source a new record gets, and whether it was copied from its company."""

    source_id: UUID | None
    inherited: bool = False


def require_sources_enabled(account: Account, *, field: str = "sourceId") -> None:
    if not account.sources_enabled:
        raise SourcesDisabled("acquisition sources are switched off for this account", field=field)


def inheritance_active(account: Account) -> bool:
    return account.sources_enabled and account.inherit_from_company


async def chosen_source(*, account: Account, source_id: str | UUID) -> Source:
    """A source a user picks for a record: sources must be on, and it must be of this account."""
    require_sources_enabled(account)
    return await get_in_account(Source, account=account, record_id=source_id, field="sourceId")


async def source_on_create(
    *, account: Account, source_id: str | Omitted | None, company: Company | None = None
) -> Assignment:
    """The source of a record being created; `company` is the one it is created with, if any."""
    if source_id is None:
        return Assignment(None)
    if source_id is not OMITTED:
        return Assignment((await chosen_source(account=account, source_id=source_id)).id)
    if company is not None and company.source_id is not None and inheritance_active(account):
        return Assignment(as_uuid(company.source_id), inherited=True)
    return Assignment(None)


async def source_on_edit(*, account: Account, source_id: str | Omitted | None) -> UUID | Omitted | None:
    """An edit's new source: left out keeps it (OMITTED), null clears it, an id sets it."""
    if source_id is None or source_id is OMITTED:
        return source_id
    return (await chosen_source(account=account, source_id=source_id)).id
