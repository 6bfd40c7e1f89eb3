from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from server import create_app
from tests.documents import CREATE_SOURCE, SOURCES
from tests.graphql import GQL, make_account


@asynccontextmanager
async def running_app(database_url: str) -> AsyncIterator[GQL]:
    app = create_app(database_url)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as client,
    ):
        yield GQL(client)


async def test_data_survives_a_restart_of_the_app(database_url: str) -> None:
    # given: an account and a source written through one app instance
    async with running_app(database_url) as gql:
        admin = await make_account("Alpha")
        await gql.ok(admin, CREATE_SOURCE, name="Website")
    # when: a new app starts on the same database
    async with running_app(database_url) as gql:
        data = await gql.ok(admin, SOURCES)
    # then: the token and the source are still there
    assert [s["name"] for s in data["sources"]] == ["Website"]
