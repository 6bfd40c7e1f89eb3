"""The demo account behind `tributary serve --demo`: a small, believable data set."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from models import Account, Role, User
from resolvers.accounts import create_account
from resolvers.auth import issue_token, revoke_tokens
from resolvers.settings import update_source_settings
from seeding.synthetic import SeedCounts, seed_account

DEMO_ACCOUNT = "Demo"
DEMO_ADMIN_EMAIL = "admin@demo.example"

DEMO_SIZE = SeedCounts(companies=25, persons=80, deals=60, sources=8, users=3)


async def ensure_demo_account() -> str:
    """Fills an empty database with the demo account; returns a fresh token of its admin.

    On a later start the demo admin's earlier tokens are revoked as the new one is issued, so
    only the token printed last works.
    """
    if not await Account.exists():
        admin, token = await create_account(
            name=DEMO_ACCOUNT, admin_email=DEMO_ADMIN_EMAIL, admin_name="Demo Admin"
        )
        await _fill(admin)
        return token
    demo_admin = await User.filter(
        account__name=DEMO_ACCOUNT, email_key=DEMO_ADMIN_EMAIL, role=Role.ADMIN
    ).first()
    if demo_admin is None:
        raise RuntimeError("the database is not empty and has no demo account")
    async with in_transaction():
        await revoke_tokens(users=[demo_admin])
        return await issue_token(user=demo_admin)


async def _fill(admin: User) -> None:
    """Sources and inheritance on, and a small synthetic data set from the seeder."""
    account = await admin.account
    await update_source_settings(account=account, enabled=True, inherit_from_company=True)
    await seed_account(account, DEMO_SIZE)
