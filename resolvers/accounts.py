"""Accounts and their users."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from models import Account, Role, User
from resolvers.auth import issue_token, revoke_tokens
from resolvers.errors import Conflict, NotFound
from resolvers.locks import write_transaction
from resolvers.scope import get_in_account
from resolvers.text import NAME_MAX, clean_email, clean_text, name_key


async def create_account(*, name: str, admin_email: str, admin_name: str) -> tuple[User, str]:
    """A new account with its first admin; returns the admin and a fresh token."""
    name = clean_text(name, field="name", max_length=NAME_MAX)
    try:
        async with write_transaction():
            account = await Account.create(name=name)
            return await _add_user(account=account, name=admin_name, email=admin_email, role=Role.ADMIN)
    except IntegrityError:
        raise Conflict(f"an account named {name!r} already exists", field="name") from None


async def create_user(*, account: Account, name: str, email: str, role: Role) -> tuple[User, str]:
    try:
        async with write_transaction():
            return await _add_user(account=account, name=name, email=email, role=role)
    except IntegrityError:
        raise Conflict("a user with this email already exists", field="email") from None


async def _add_user(*, account: Account, name: str, email: str, role: Role) -> tuple[User, str]:
    email = clean_email(email)
    user = await User.create(
        account=account,
        name=clean_text(name, field="name", max_length=NAME_MAX),
        email=email,
        email_key=name_key(email),
        role=role,
    )
    return user, await issue_token(user=user)


async def get_account_by_name(name: str) -> Account:
    account = await Account.get_or_none(name=clean_text(name, field="name", max_length=NAME_MAX))
    if account is None:
        raise NotFound(f"no account named {name!r}")
    return account


async def get_user_by_email(*, account: Account, email: str) -> User:
    """Emails are matched as the unique index matches them: ignoring case."""
    user = await User.get_or_none(account=account, email_key=name_key(clean_email(email)))
    if user is None:
        raise NotFound(f"no user with email {email!r} in account {account.name!r}", field="email")
    return user


async def revoke_user_tokens(*, account: Account, user_id: str) -> int:
    """Every token of one user of the account (NOT_FOUND for anyone else's); how many."""
    user = await get_in_account(User, account=account, record_id=user_id, field="userId")
    return await revoke_tokens(users=[user])


async def revoke_account_tokens(*, account: Account, email: str | None) -> int:
    """Every token of the account's users, or of the one with `email`; how many."""
    users = (
        [await get_user_by_email(account=account, email=email)]
        if email is not None
        else await User.filter(account=account)
    )
    return await revoke_tokens(users=users)


async def create_token(*, account: Account, email: str) -> str:
    """A fresh token for an existing user, e.g. after revoking the old ones."""
    return await issue_token(user=await get_user_by_email(account=account, email=email))


async def list_users(*, account: Account) -> list[User]:
    return await User.filter(account=account).order_by("name", "id")
