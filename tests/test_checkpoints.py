"""SQLite: a commit leaves copying the write-ahead log into the database file to the server's
checkpointer (models/checkpoints.py), which copies it soon after without any request.

What the log holds and how much of it is copied is read from the wal-index header in the
`-shm` file (its format: https://sqlite.org/walformat.html), so looking does not copy anything.
"""

from __future__ import annotations

import asyncio
import os
import struct
import threading
from pathlib import Path

import pytest
from tortoise.connection import connections
from tortoise.context import TortoiseContext

from models.checkpoints import Checkpointer
from models.config import tortoise_config
from tests.graphql import GQL, Caller
from tests.threads import still_running

pytestmark = pytest.mark.skipif(bool(os.environ.get("TRIBUTARY_TEST_POSTGRES_URL")), reason="SQLite only")
# about 20 MB of rows: more than the 1,000 pages (16 MB) past which a commit checkpoints by default
FILL = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
    "INSERT INTO filler SELECT randomblob(1000) FROM n"
)


def log_frames(database_url: str) -> tuple[int, int]:
    """(pages in the log, pages of them copied into the database file)."""
    header = Path(database_url.removeprefix("sqlite://") + "-shm").read_bytes()[:136]
    in_log = struct.unpack_from("=I", header, 16)[0]  # mxFrame of the first header copy
    copied = struct.unpack_from("=I", header, 96)[0]  # nBackfill of the checkpoint info
    return in_log, copied


async def copied_within(database_url: str, pages: int, *, seconds: float) -> int:
    """The pages copied once `pages` are, or when `seconds` have passed."""
    for _ in range(int(seconds / 0.05)):
        if log_frames(database_url)[1] >= pages:
            break
        await asyncio.sleep(0.05)
    return log_frames(database_url)[1]


async def test_a_write_is_copied_into_the_database_file_without_another_request(
    gql: GQL, admin: Caller, database_url: str
) -> None:
    # given: a write well under the 1,000 pages at which a commit would copy the log itself
    created = await gql(admin, 'mutation { createSource(name: "Fair") { id } }')
    assert created["data"]["createSource"]["id"]
    in_log = log_frames(database_url)[0]
    assert in_log > 0
    # when: the server gets no request for a while
    copied = await copied_within(database_url, in_log, seconds=5)
    # then: its checkpointer copied every page of that write
    assert copied >= in_log


async def test_a_large_commit_does_not_copy_the_log_itself_while_the_checkpointer_runs(
    database_url: str,
) -> None:
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(database_url))
        writer = connections.get("default")
        await writer.execute_query("CREATE TABLE filler (data BLOB)")
        checkpointer = await Checkpointer.start(every=3600)  # its own runs do not come in between
        assert checkpointer is not None
        # when: a commit takes the log past 1,000 pages
        await writer.execute_query(FILL)
        in_log, copied = log_frames(database_url)
        # then: the commit left the pages in the log, and the checkpointer copies them
        assert in_log > 1000
        assert copied < in_log
        await checkpointer.checkpoint()
        assert log_frames(database_url)[1] == in_log
        # when: the checkpointer stops (the server shuts down), the writer copies its own again
        await checkpointer.stop()
        await writer.execute_query(FILL)
        in_log, copied = log_frames(database_url)
        assert in_log > 1000
        assert copied == in_log


@pytest.mark.parametrize("writer_open", [True, False], ids=["writer open", "writer closed first"])
async def test_stopping_the_checkpointer_leaves_no_connection_of_its_own_open(
    database_url: str, writer_open: bool
) -> None:
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(database_url))
        writer = connections.get("default")
        await writer.execute_query("SELECT 1")  # the writer's connection and thread, before
        before = set(threading.enumerate())
        # given: a running checkpointer (every=0: its checkpoints overlap the stop)
        checkpointer = await Checkpointer.start(every=0)
        assert checkpointer is not None
        await asyncio.sleep(0.01)
        if not writer_open:  # another app on the same database shut down first (tests do)
            await writer.close()
        # when: the server stops it
        await checkpointer.stop()
        # then: no connection it opened, or reopened, is left: the process can exit
        assert still_running(set(threading.enumerate()) - before) == []
