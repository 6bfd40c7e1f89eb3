"""The `tributary` command line: one small function per command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import uvicorn
from tortoise.context import TortoiseContext
from tqdm import tqdm

from config import Settings
from models import Role
from models.config import apply_migrations, tortoise_config
from resolvers.accounts import (
    create_account,
    create_token,
    create_user,
    get_account_by_name,
    revoke_account_tokens,
)
from resolvers.errors import DomainError
from schema import schema
from seeding.demo import ensure_demo_account
from seeding.synthetic import SeedCounts, seed_account

T = TypeVar("T")


def _with_database(work: Callable[[], Awaitable[T]]) -> T:
    """Runs `work` on the configured database, migrations applied first."""

    async def run() -> T:
        await apply_migrations()
        async with TortoiseContext() as ctx:
            await ctx.init(config=tortoise_config())
            return await work()

    return asyncio.run(run())


def serve(args: argparse.Namespace) -> None:
    settings = Settings.from_env()
    url = settings.database_url
    if args.workers > 1 and url.startswith("sqlite"):
        sys.exit("tributary: --workers > 1 needs PostgreSQL; SQLite is served by one process")
    asyncio.run(apply_migrations(url))
    if args.demo:
        token = _with_database(ensure_demo_account)
        print(f"Demo admin token: {token}")
        print(
            f"GraphiQL at http://{args.host}:{args.port}/graphql, header: "
            f'{{"Authorization": "Bearer {token}"}}',
        )
        print(f"Statistics page at http://{args.host}:{args.port}/stats (paste the token there)", flush=True)
    uvicorn.run(
        "server:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        access_log=settings.access_log,
        proxy_headers=True,
    )


def migrate(args: argparse.Namespace) -> None:
    asyncio.run(apply_migrations())


def create_account_command(args: argparse.Namespace) -> None:
    async def work() -> str:
        _, token = await create_account(
            name=args.name, admin_email=args.admin_email, admin_name=args.admin_name or args.admin_email
        )
        return token

    print(_with_database(work))


def create_user_command(args: argparse.Namespace) -> None:
    async def work() -> str:
        account = await get_account_by_name(args.account)
        _, token = await create_user(
            account=account,
            name=args.name or args.email,
            email=args.email,
            role=Role.ADMIN if args.admin else Role.USER,
        )
        return token

    print(_with_database(work))


def create_token_command(args: argparse.Namespace) -> None:
    async def work() -> str:
        return await create_token(account=await get_account_by_name(args.account), email=args.email)

    print(_with_database(work))


def revoke_tokens_command(args: argparse.Namespace) -> None:
    async def work() -> int:
        return await revoke_account_tokens(account=await get_account_by_name(args.account), email=args.email)

    print(_with_database(work))


def seed(args: argparse.Namespace) -> None:
    counts = SeedCounts(
        companies=args.companies,
        persons=args.persons,
        deals=args.deals,
        sources=args.sources,
        users=args.users,
    )
    totals = {"company": counts.companies, "person": counts.persons, "deal": counts.deals}
    bars: dict[str, tqdm[Any]] = {}

    def progress(table: str, n: int) -> None:
        if table not in bars:
            bars[table] = tqdm(total=totals[table], desc=f"{table:8}", unit=" rows", unit_scale=True)
        bars[table].update(n)

    async def work() -> None:
        await seed_account(await get_account_by_name(args.account), counts, progress=progress)

    _with_database(work)
    for bar in bars.values():
        bar.close()


def export_schema(args: argparse.Namespace) -> None:
    sys.stdout.write(schema.as_str() + "\n")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tributary", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    serve_cmd = sub.add_parser("serve", help="apply migrations and serve GraphQL")
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=8000)
    serve_cmd.add_argument("--demo", action="store_true", help="fill an empty database with a demo account")
    serve_cmd.add_argument("--workers", type=int, default=1, help="processes (PostgreSQL only)")
    serve_cmd.set_defaults(func=serve)
    sub.add_parser("migrate", help="apply migrations and exit").set_defaults(func=migrate)
    account = sub.add_parser("create-account", help="create an account; prints its admin's token")
    account.add_argument("name")
    account.add_argument("--admin-email", required=True)
    account.add_argument("--admin-name")
    account.set_defaults(func=create_account_command)
    user = sub.add_parser("create-user", help="create a user; prints the token")
    user.add_argument("--account", required=True)
    user.add_argument("--email", required=True)
    user.add_argument("--name")
    user.add_argument("--admin", action="store_true")
    user.set_defaults(func=create_user_command)
    token = sub.add_parser("create-token", help="a new token for an existing user; prints it")
    token.add_argument("--account", required=True)
    token.add_argument("--email", required=True)
    token.set_defaults(func=create_token_command)
    revoke = sub.add_parser(
        "revoke-tokens", help="revoke the tokens of an account's users (or of one); prints how many"
    )
    revoke.add_argument("--account", required=True)
    revoke.add_argument("--email", help="only this user's tokens")
    revoke.set_defaults(func=revoke_tokens_command)
    sub.add_parser("export-schema", help="print the GraphQL SDL").set_defaults(func=export_schema)
    seed_cmd = sub.add_parser("seed", help="fill an existing account with synthetic data")
    seed_cmd.add_argument("account")
    for what, default in (("companies", 0), ("persons", 0), ("deals", 0), ("sources", 12), ("users", 5)):
        seed_cmd.add_argument(f"--{what}", type=int, default=default, metavar="N")
    seed_cmd.set_defaults(func=seed)
    return p


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    try:
        args.func(args)
    except DomainError as e:
        sys.exit(f"tributary: {e.message}")


if __name__ == "__main__":
    main()
