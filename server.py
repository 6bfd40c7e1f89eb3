"""The Starlette app (GraphQL, health, CSV export) and the `tributary` command line."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import logging
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult
from tortoise.connection import connections
from tortoise.context import TortoiseContext
from tortoise.contrib.starlette import RegisterTortoise
from tortoise.migrations.api.migrate import migrate as migrate_api
from tqdm import tqdm

from models import Role, User
from models.config import database_url, tortoise_config
from resolvers import stats
from resolvers.accounts import create_account, create_user, get_account_by_name
from resolvers.auth import authenticate
from resolvers.errors import DomainError
from schema import build_schema, schema
from schema.context import Context
from schema.errors import to_client_error
from schema.limits import MAX_BODY_BYTES
from schema.scalars import parse_datetime
from schema.stats import SourceStatsRow
from seeding.demo import ensure_demo_account
from seeding.synthetic import SeedCounts, seed_account

logger = logging.getLogger("tributary")


# --- authentication ---------------------------------------------------------------------------


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def unauthenticated() -> Response:
    return JSONResponse(
        {
            "data": None,
            "errors": [
                {"message": "a valid bearer token is required", "extensions": {"code": "UNAUTHENTICATED"}}
            ],
        },
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


async def caller(request: Request) -> User | None:
    return await authenticate(bearer_token(request))


class GraphQLView(GraphQL[Context, None]):
    """Strawberry's view, behind bearer authentication (the GraphiQL page itself is public)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # no subscriptions: websockets are not served
        request = Request(scope, receive)
        if self._is_ide_page(request):
            response: Response = (
                HTMLResponse(self.graphql_ide_html)
                if self.graphql_ide
                else PlainTextResponse("Not Found", 404)
            )
            await response(scope, receive, send)
            return
        user = await caller(request)
        if user is None:
            await unauthenticated()(scope, receive, send)
            return
        scope.setdefault("state", {})["user"] = user
        await super().__call__(scope, receive, send)

    @staticmethod
    def _is_ide_page(request: Request) -> bool:
        return (
            request.method == "GET"
            and "query" not in request.query_params
            and "text/html" in request.headers.get("accept", "")
        )

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        if result.errors:
            result.errors = [to_client_error(e) for e in result.errors]
        return await super().process_result(request, result)

    async def get_context(self, request: Any, response: Any) -> Context:
        return Context(request=request, response=response, user=request.state.user)


# --- plain HTTP routes ------------------------------------------------------------------------


async def healthz(request: Request) -> Response:
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:
        logger.exception("health check failed")
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


CSV_HEADER = [
    "source_id",
    "source",
    "count",
    "persons",
    "companies",
    "share",
    "deals",
    "deal_value",
    "won_deals",
    "won_value",
    "average_deal_value",
    "win_rate",
]


class BadParameter(ValueError):
    pass


def _stats_arguments(request: Request) -> tuple[stats.ContactKind, stats.StatsFilter]:
    params = request.query_params
    try:
        kind = stats.ContactKind(params.get("contactKind", "ALL"))
    except ValueError:
        raise BadParameter("contactKind must be PERSONS, COMPANIES or ALL") from None
    user_ids = None
    if "userIds" in params:
        user_ids = [u.strip() for u in params["userIds"].split(",") if u.strip()]
    return kind, stats.StatsFilter(
        user_ids=user_ids,
        created_from=_datetime_param(params.get("createdFrom"), "createdFrom"),
        created_to=_datetime_param(params.get("createdTo"), "createdTo"),
    )


def _datetime_param(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        raise BadParameter(f"{name} must be an ISO-8601 date-time") from None


async def sources_csv(request: Request) -> Response:
    """The sourceStats rows for BI tools, with the same filters as query parameters."""
    user = await caller(request)
    if user is None:
        return PlainTextResponse(
            "a valid bearer token is required\n", status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )
    try:
        kind, where = _stats_arguments(request)
    except BadParameter as e:
        return PlainTextResponse(f"{e}\n", status_code=400)
    try:
        rows = await stats.source_stats(account=user.account, kind=kind, where=where)
    except DomainError as e:
        return PlainTextResponse(f"{e.message}\n", status_code=400)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in map(SourceStatsRow.from_row, rows):
        d = row.deals
        writer.writerow(
            [
                row.source.id if row.source else "",
                row.label,
                row.count,
                row.persons,
                row.companies,
                row.share,
                d.count,
                d.total_value,
                d.won,
                d.won_value,
                "" if d.average_value is None else d.average_value,
                "" if d.win_rate is None else d.win_rate,
            ]
        )
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8")


# --- the app ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """Production switches, from the environment (see README, "Operating Tributary")."""

    introspection: bool = True  # off: no introspection, no GraphiQL, no field suggestions
    cors_origins: tuple[str, ...] = ()

    @classmethod
    def from_env(cls) -> Settings:
        origins = os.environ.get("TRIBUTARY_CORS_ORIGINS", "")
        return cls(
            introspection=os.environ.get("TRIBUTARY_INTROSPECTION", "1").lower()
            not in {"0", "false", "no", "off"},
            cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
        )


class BodySizeLimit:
    """Refuses request bodies over `limit` bytes with 413 before the app reads them."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.limit:
                await self._refuse(scope, receive, send)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = PlainTextResponse(f"request body larger than {self.limit} bytes\n", status_code=413)
        await response(scope, receive, send)


def create_app(url: str | None = None, settings: Settings | None = None) -> Starlette:
    config = tortoise_config(url)
    settings = settings or Settings.from_env()
    graphql_schema = schema if settings.introspection else build_schema(introspection=False)
    view = GraphQLView(graphql_schema, graphql_ide="graphiql" if settings.introspection else None)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with RegisterTortoise(app, config=config):
            yield

    middleware = [Middleware(BodySizeLimit, limit=MAX_BODY_BYTES)]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
                max_age=600,
            )
        )
    return Starlette(
        routes=[
            Route("/graphql", view, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/stats/sources.csv", sources_csv, methods=["GET"]),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )


async def apply_migrations(url: str | None = None) -> None:
    async with TortoiseContext():
        await migrate_api(config=tortoise_config(url))


# --- the command line -------------------------------------------------------------------------


async def _with_database(work: Any) -> Any:
    await apply_migrations()
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config())
        return await work()


def _cmd_serve(args: argparse.Namespace) -> None:
    url = database_url()
    if args.workers > 1 and url.startswith("sqlite"):
        sys.exit("tributary: --workers > 1 needs PostgreSQL; SQLite is served by one process")
    asyncio.run(apply_migrations(url))
    if args.demo:
        token = asyncio.run(_with_database(ensure_demo_account))
        print(f"Demo admin token: {token}")
        print(
            f"GraphiQL at http://{args.host}:{args.port}/graphql, header: "
            f'{{"Authorization": "Bearer {token}"}}',
            flush=True,
        )
    uvicorn.run(
        "server:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        proxy_headers=True,
    )


def _cmd_migrate(args: argparse.Namespace) -> None:
    asyncio.run(apply_migrations())


def _cmd_create_account(args: argparse.Namespace) -> None:
    async def work() -> str:
        _, token = await create_account(
            name=args.name, admin_email=args.admin_email, admin_name=args.admin_name or args.admin_email
        )
        return token

    print(asyncio.run(_with_database(work)))


def _cmd_create_user(args: argparse.Namespace) -> None:
    async def work() -> str:
        account = await get_account_by_name(args.account)
        _, token = await create_user(
            account=account,
            name=args.name or args.email,
            email=args.email,
            role=Role.ADMIN if args.admin else Role.USER,
        )
        return token

    print(asyncio.run(_with_database(work)))


def _cmd_seed(args: argparse.Namespace) -> None:
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

    asyncio.run(_with_database(work))
    for bar in bars.values():
        bar.close()


def _cmd_export_schema(args: argparse.Namespace) -> None:
    sys.stdout.write(schema.as_str() + "\n")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tributary", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="apply migrations and serve GraphQL")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo", action="store_true", help="fill an empty database with a demo account")
    serve.add_argument("--workers", type=int, default=1, help="processes (PostgreSQL only)")
    serve.set_defaults(func=_cmd_serve)
    sub.add_parser("migrate", help="apply migrations and exit").set_defaults(func=_cmd_migrate)
    account = sub.add_parser("create-account", help="create an account; prints its admin's token")
    account.add_argument("name")
    account.add_argument("--admin-email", required=True)
    account.add_argument("--admin-name")
    account.set_defaults(func=_cmd_create_account)
    user = sub.add_parser("create-user", help="create a user; prints the token")
    user.add_argument("--account", required=True)
    user.add_argument("--email", required=True)
    user.add_argument("--name")
    user.add_argument("--admin", action="store_true")
    user.set_defaults(func=_cmd_create_user)
    sub.add_parser("export-schema", help="print the GraphQL SDL").set_defaults(func=_cmd_export_schema)
    seed = sub.add_parser("seed", help="fill an existing account with synthetic data")
    seed.add_argument("account")
    for what, default in (("companies", 0), ("persons", 0), ("deals", 0), ("sources", 12), ("users", 5)):
        seed.add_argument(f"--{what}", type=int, default=default, metavar="N")
    seed.set_defaults(func=_cmd_seed)
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
