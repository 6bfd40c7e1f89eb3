"""Rule 4, the inheritance rule, in one place."""

from __future__ import annotations

from uuid import UUID

from models import Account, Company
from resolvers.ids import as_uuid
from resolvers.inputs import OMITTED, Omitted
from resolvers.references import chosen_source_id
from resolvers.settings import inheritance_active


async def source_for_new_record(
    *, account: Account, source_id: str | Omitted | None, company: Company | None
) -> UUID | None:
    """The source of a person or deal being created.

    An explicit `sourceId` (a value or null) always wins. Left out, the record takes its
    company's source at this moment, when inheritance (and sources) are on. Only creation
    calls this: edits never re-inherit, and a company's later changes do not ripple.
    """
    chosen = await chosen_source_id(account=account, source_id=source_id)
    if chosen is not OMITTED:
        return chosen
    if company is not None and inheritance_active(account):
        return None if company.source_id is None else as_uuid(company.source_id)
    return None
