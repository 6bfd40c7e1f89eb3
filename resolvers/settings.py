"""The account's source switches: sources on or off, and inheritance from the company."""

from __future__ import annotations

from models import Account
from resolvers.locks import write_transaction


async def update_source_settings(
    *, account: Account, enabled: bool | None, inherit_from_company: bool | None
) -> Account:
    """Arguments left as None keep their setting."""
    changes: dict[str, bool] = {}
    if enabled is not None:
        changes["sources_enabled"] = enabled
    if inherit_from_company is not None:
        changes["inherit_from_company"] = inherit_from_company
    if changes:
        async with write_transaction():
            await Account.filter(id=account.id).update(**changes)
        await account.refresh_from_db(fields=["sources_enabled", "inherit_from_company"])
    return account
