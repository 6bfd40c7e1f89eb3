"""The Starlette app: GraphQL at /graphql (GraphiQL in a browser), /healthz, the CSV exports, /stats.

The command line lives in cli.py; `python server.py …` runs it too.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from tortoise.connection import connections
from tortoise.contrib.starlette import RegisterTortoise

from config import Settings
from models.checkpoints import Checkpointer
from models.config import tortoise_config
from models.read_pool import ReadPool
from models.time_limit import install_sqlite_budget
from pages.graphiql import GRAPHIQL_ASSETS, graphiql_html
from pages.stats import CSP as STATS_CSP
from pages.stats import STATS_ASSETS, stats_html
from resolvers.deletions import prune_tombstones
from schema import build_schema, schema
from schema.limits import MAX_BODY_BYTES
from web.auth import BearerTokens
from web.availability import DatabaseUnavailable
from web.body_limit import BodySizeLimit
from web.csv_export import sources_csv, sources_trend_csv
from web.fair_use import AccountGate, InFlightLimit
from web.graphql_http import GraphQLEndpoint

logger = logging.getLogger("tributary")

GRAPHIQL_URL = "/static/graphiql"
STATS_ASSETS_URL = "/static/stats"


async def install_time_budget() -> None:
    """SQLite: statements of a request whose budget is spent are aborted (models/time_limit.py)."""
    client = connections.get("default")
    if client.capabilities.dialect == "sqlite":
        async with client.acquire_connection() as connection:
            await install_sqlite_budget(connection)


async def healthz(request: Request) -> Response:
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:
        logger.exception("health check failed")
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


def create_app(url: str | None = None, settings: Settings | None = None) -> Starlette:
    """The app on `url` (default: the settings' database URL) with `settings` (default: the environment)."""
    settings = settings or Settings.from_env()
    config = tortoise_config(url or settings.database_url)
    defaults = Settings()
    custom = (settings.introspection, settings.max_cost) != (defaults.introspection, defaults.max_cost)
    graphql_schema = (
        build_schema(introspection=settings.introspection, max_cost=settings.max_cost) if custom else schema
    )
    endpoint = GraphQLEndpoint(
        graphql_schema,
        introspection=settings.introspection,
        ide_html=graphiql_html(assets_url=GRAPHIQL_URL) if settings.introspection else None,
        timeout=settings.request_timeout,
        bulk_timeout=settings.bulk_timeout,
    )

    tokens = BearerTokens()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with RegisterTortoise(app, config=config):
            await install_time_budget()
            await prune_tombstones()  # every account's tombstones past their keep (resolvers/deletions.py)
            app.state.read_pool = await ReadPool.open()
            checkpointer = await Checkpointer.start()  # SQLite: commits leave the copying to it
            try:
                yield
            finally:
                await tokens.uses.drain()
                if checkpointer:
                    await checkpointer.stop()
                if app.state.read_pool:
                    await app.state.read_pool.close()

    middleware = [Middleware(BodySizeLimit, limit=MAX_BODY_BYTES), Middleware(DatabaseUnavailable)]
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
    middleware.append(Middleware(AuthenticationMiddleware, backend=tokens))
    middleware.append(Middleware(InFlightLimit, limit=settings.max_in_flight))
    stats_page = stats_html(assets_url=STATS_ASSETS_URL)

    async def stats(request: Request) -> Response:
        return HTMLResponse(stats_page, headers={"Content-Security-Policy": STATS_CSP})

    routes: list[BaseRoute] = [
        Route("/graphql", endpoint, methods=["GET", "POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/stats/sources.csv", sources_csv, methods=["GET"]),
        Route("/stats/sources-trend.csv", sources_trend_csv, methods=["GET"]),
        Route("/stats", stats, methods=["GET"]),  # the statistics page, for people
        Mount(STATS_ASSETS_URL, app=StaticFiles(directory=STATS_ASSETS), name="stats-assets"),
    ]
    if settings.introspection:  # no GraphiQL without introspection
        routes.append(Mount(GRAPHIQL_URL, app=StaticFiles(directory=GRAPHIQL_ASSETS), name="graphiql"))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.settings = settings
    app.state.account_gate = AccountGate(settings.max_running_per_account)
    app.state.read_pool = None  # opened by the lifespan on SQLite
    return app


if __name__ == "__main__":
    from cli import main

    main()
