"""Fixtures: the real ASGI app on a real database, reached through GraphQL.

Every test gets a fresh SQLite file (copied from one migrated template, so migrations run once
per session). With TRIBUTARY_TEST_POSTGRES_URL set, the same tests run on one fresh PostgreSQL
database per session instead, emptied before each test.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from models.config import apply_migrations
from server import create_app
from tests.documents import ENABLE_SOURCES
from tests.graphql import GQL, Caller, Records, make_account
from tests.threads import sqlite_threads, still_running

POSTGRES_URL = os.environ.get("TRIBUTARY_TEST_POSTGRES_URL")
# every table but the migration log: a new model's table is emptied without being listed here
USER_TABLES = """SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables
                 WHERE schemaname = 'public' AND tablename <> 'tortoise_migrations'"""


@pytest.fixture(autouse=True)
def closes_every_sqlite_connection() -> Iterator[None]:
    """Fails the test that leaves an SQLite connection open, instead of the run hanging at exit."""
    before = sqlite_threads()
    yield
    assert not still_running(sqlite_threads() - before), "an SQLite connection was left open"


def pytest_unconfigure(config: pytest.Config) -> None:
    """After the summary: a run whose test left an SQLite connection open ends instead of hanging."""
    if left := sqlite_threads():
        print(f"\n{len(left)} SQLite connection(s) left open (see the failing tests); exiting", flush=True)
        os._exit(1)


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """PostgreSQL: a fresh database for this run. SQLite: the template file tests copy."""
    if not POSTGRES_URL:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        asyncio.run(apply_migrations(f"sqlite://{path}"))
        yield f"sqlite://{path}"
        return
    name = f"tributary_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_postgres_admin(f'CREATE DATABASE "{name}"'))
    url = urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{name}"))
    asyncio.run(apply_migrations(url))
    yield url
    asyncio.run(_postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _postgres_admin(sql: str) -> None:
    conn = await asyncpg.connect(POSTGRES_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def empty_database(migrated_database: str, folder: Path) -> str:
    """A database with every migration applied and no rows (PostgreSQL: the run's one, emptied)."""
    if POSTGRES_URL:
        conn = await asyncpg.connect(migrated_database)
        try:
            await conn.execute(f"TRUNCATE {await conn.fetchval(USER_TABLES)} CASCADE")
        finally:
            await conn.close()
        return migrated_database
    path = folder / "tributary.sqlite3"
    shutil.copy(migrated_database.removeprefix("sqlite://"), path)
    return f"sqlite://{path}"


@pytest.fixture
async def database_url(migrated_database: str, tmp_path: Path) -> str:
    """A database with every migration applied and no rows."""
    return await empty_database(migrated_database, tmp_path)


@pytest.fixture(scope="module")
def module_database_url(migrated_database: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The same, shared by the tests of one module (for data that is slow to make)."""
    return asyncio.run(empty_database(migrated_database, tmp_path_factory.mktemp("module")))


@pytest.fixture
async def empty_url(tmp_path: Path) -> AsyncIterator[str]:
    """A database without any table, for migration tests: a new SQLite file, or a new
    PostgreSQL database beside the suite's (dropped afterwards)."""
    if not POSTGRES_URL:
        yield f"sqlite://{tmp_path / 'empty.sqlite3'}"
        return
    name = f"tributary_migration_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{name}"))
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
def on_postgres() -> bool:
    return bool(POSTGRES_URL)


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[object]:
    application = create_app(database_url)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://tributary.test") as c:
        yield c


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GQL:
    return GQL(client)


@pytest.fixture
async def admin(app: object) -> Caller:
    """The admin of account "Alpha"."""
    return await make_account("Alpha")


@pytest.fixture
async def user(gql: GQL, admin: Caller) -> Caller:
    """A non-admin user of account "Alpha"."""
    return await admin.add_user(gql, "Uma User", "uma@alpha.example")


@pytest.fixture
async def outsider(app: object) -> Caller:
    """The admin of another account, "Beta"."""
    return await make_account("Beta")


@pytest.fixture
async def alpha(gql: GQL, admin: Caller) -> Records:
    """Record shortcuts for account Alpha, with sources switched on."""
    await gql.ok(admin, ENABLE_SOURCES)
    return Records(gql, admin)
