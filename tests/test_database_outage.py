"""While the database is unreachable every request gets 503, Retry-After and SERVICE_UNAVAILABLE.

PostgreSQL is reached through a TCP proxy in this test, which the test cuts and restores: a
real outage as the server sees it (connections reset, new ones refused), without touching the
PostgreSQL that other tests use. SQLite is a file inside the process, so there is no outage to
simulate there.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from processes import free_port, run_cli, serving

ME = {"query": "{ me { id } }"}


class Proxy:
    """Forwards 127.0.0.1:<port> to PostgreSQL until cut; `restore()` listens again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.server: asyncio.AbstractServer | None = None
        self.pipes: set[asyncio.StreamWriter] = set()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def _run(self, coroutine: object) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)  # type: ignore[arg-type]

    def restore(self) -> None:
        self._run(self._listen())

    def cut(self) -> None:
        self._run(self._cut())

    async def _listen(self) -> None:
        self.server = await asyncio.start_server(self._connect, "127.0.0.1", self.port, reuse_address=True)

    async def _cut(self) -> None:
        if self.server:
            self.server.close()
            await self.server.wait_closed()
        for writer in list(self.pipes):
            with contextlib.suppress(OSError):
                writer.transport.abort()

    async def _connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.pipes |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            with contextlib.suppress(OSError):
                dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    def close(self) -> None:
        self.cut()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture
def proxy(database_url: str, on_postgres: bool) -> Iterator[tuple[Proxy, str]]:
    if not on_postgres:
        pytest.skip("SQLite is a file in the server's process: there is no database to lose")
    parts = urlsplit(database_url)
    running = Proxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    running.restore()
    via_proxy = urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{running.port}"))
    yield running, via_proxy
    running.close()


def test_an_unreachable_database_answers_503_json_and_the_service_recovers(
    proxy: tuple[Proxy, str],
) -> None:
    cut, url = proxy
    token = run_cli(url, "create-account", "Outage", "--admin-email", "o@outage.example").strip()
    headers = {"Authorization": f"Bearer {token}"}
    with serving(url) as server:
        before = httpx.post(f"{server.url}/graphql", json=ME, headers=headers, timeout=10)
        # when: the database goes away
        cut.cut()
        during = [httpx.post(f"{server.url}/graphql", json=ME, headers=headers, timeout=10) for _ in range(3)]
        health = httpx.get(f"{server.url}/healthz", timeout=10)
        # and comes back
        cut.restore()
        after = httpx.post(f"{server.url}/graphql", json=ME, headers=headers, timeout=10)
    # then
    assert before.json()["data"]["me"]["id"]
    for response in during:
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"] == "5"
        assert response.headers["content-type"] == "application/json"
        assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert health.status_code == 503
    assert after.status_code == 200
    assert after.json()["data"]["me"]["id"] == before.json()["data"]["me"]["id"]
