"""The account's source switch and inheritance switch (contract rules 1 and 4)."""

from __future__ import annotations

from models import Account
from resolvers.errors import SourcesDisabled


def require_sources_enabled(account: Account) -> None:
    """Rule 1: while sources are off, nothing may be assigned (reads and management still work)."""
    if not account.sources_enabled:
        raise SourcesDisabled("acquisition sources are switched off for this account", field="sourceId")


def inheritance_active(account: Account) -> bool:
    return account.sources_enabled and account.inherit_from_company


async def update_source_settings(
    *, account: Account, enabled: bool | None, inherit_from_company: bool | None
) -> Account:
    changes: dict[str, bool] = {}
    if enabled is not None:
        changes["sources_enabled"] = enabled
    if inherit_from_company is not None:
        changes["inherit_from_company"] = inherit_from_company
    if changes:
        await Account.filter(id=account.id).update(**changes)
        await account.refresh_from_db(fields=["sources_enabled", "inherit_from_company"])
    return account
