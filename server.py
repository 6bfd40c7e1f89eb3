"""The Starlette app: GraphQL at /graphql (GraphiQL in a browser), /healthz and the CSV export.

The command line lives in cli.py; `python server.py …` runs it too.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult
from tortoise.connection import connections
from tortoise.contrib.starlette import RegisterTortoise

from config import Settings
from models.config import tortoise_config
from schema import build_schema, schema
from schema.context import Context
from schema.errors import to_client_error
from schema.limits import MAX_BODY_BYTES
from web.auth import BearerTokens, signed_in_user, unauthenticated
from web.body_limit import BodySizeLimit
from web.csv_export import sources_csv

logger = logging.getLogger("tributary")


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
        if signed_in_user(request) is None:
            await unauthenticated()(scope, receive, send)
            return
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
        user = signed_in_user(request)
        assert user is not None  # __call__ answered 401 otherwise
        return Context(request=request, response=response, user=user)


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
    middleware.append(Middleware(AuthenticationMiddleware, backend=BearerTokens()))
    return Starlette(
        routes=[
            Route("/graphql", view, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/stats/sources.csv", sources_csv, methods=["GET"]),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )


if __name__ == "__main__":
    from cli import main

    main()
