"""The demo account behind `tributary serve --demo`: a small, believable data set."""

from __future__ import annotations

from decimal import Decimal

from tortoise.transactions import in_transaction

from models import Account, Company, Deal, DealStatus, Person, Role, Source, User
from resolvers.accounts import create_account
from resolvers.auth import issue_token
from resolvers.text import name_key

DEMO_ACCOUNT = "Demo"
DEMO_ADMIN_EMAIL = "admin@demo.example"

_SOURCES = ["Website", "Trade fair 2026", "Referral", "LinkedIn", "Cold call"]
_COMPANIES = [
    ("Acme Tools GmbH", "Trade fair 2026"),
    ("Blue River Logistics", "Website"),
    ("Nordlicht Energie", "Referral"),
    ("Pixel & Partner", "LinkedIn"),
    ("Quarry Stone Ltd", None),
]
_PERSONS = [
    ("Ada", "Lovelace", "ada@acme.example", 0, "Trade fair 2026"),
    ("Grace", "Hopper", "grace@blueriver.example", 1, "Website"),
    ("Linus", "Berg", "linus@nordlicht.example", 2, "Referral"),
    ("Mara", "Ölund", "mara@pixel.example", 3, "LinkedIn"),
    ("Tom", "Stone", None, 4, None),
    ("Jo", "Free", "jo@freelance.example", None, "Website"),
]
_DEALS = [
    ("Acme tooling rollout", "12500.00", DealStatus.WON, 0),
    ("Blue River fleet pilot", "4800.00", DealStatus.OPEN, 1),
    ("Nordlicht solar audit", "9900.50", DealStatus.LOST, 2),
    ("Pixel brand refresh", "2300.00", DealStatus.WON, 3),
    ("Quarry site survey", "750.00", DealStatus.OPEN, 4),
]


async def ensure_demo_account() -> str:
    """Fills an empty database with the demo account; returns a fresh token of its admin."""
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
    return await issue_token(user=demo_admin)


async def _fill(admin: User) -> None:
    account = await admin.account
    async with in_transaction():
        await Account.filter(id=account.id).update(sources_enabled=True, inherit_from_company=True)
        sales = await User.create(
            account=account,
            name="Sam Sales",
            email="sam@demo.example",
            email_key="sam@demo.example",
            role=Role.USER,
        )
        sources = {
            name: await Source.create(account=account, name=name, name_key=name_key(name))
            for name in _SOURCES
        }
        companies = [
            await Company.create(
                account=account, name=name, source=sources.get(src or ""), owner=(admin, sales)[i % 2]
            )
            for i, (name, src) in enumerate(_COMPANIES)
        ]
        persons = [
            await Person.create(
                account=account,
                first_name=first,
                last_name=last,
                email=email,
                company=companies[c] if c is not None else None,
                source=sources.get(src or ""),
                owner=(admin, sales)[i % 2],
            )
            for i, (first, last, email, c, src) in enumerate(_PERSONS)
        ]
        for i, (title, value, status, c) in enumerate(_DEALS):
            await Deal.create(
                account=account,
                title=title,
                value_cents=int(Decimal(value) * 100),
                status=status,
                company=companies[c],
                person=persons[c],
                source_id=companies[c].source_id,
                owner=(admin, sales)[i % 2],
            )
