"""SQLite: the write-ahead log is copied into the database file beside the requests, not in them.

In WAL mode a commit appends the pages it changed to the `-wal` file, and a checkpoint later
copies them into the database file. By default the connection whose commit takes the log past
1,000 pages runs that checkpoint itself, before its request is answered: a merge of 129,081
records at 300,000 persons commits about 500 MB of pages and then spent about 0.9 s copying
them. The server's writer therefore runs no checkpoints (`wal_autocheckpoint = 0`); a task of
the server runs a PASSIVE checkpoint every `CHECKPOINT_EVERY` seconds on a connection of its own
(its own thread, so the event loop and the writer go on). A PASSIVE checkpoint waits for no
reader or writer and none waits for it; with nothing new in the log it does nothing. The log
grows by at most what the server commits between two runs, and a committed write is as safe in
the log as in the file (SQLite reads it back after a crash or restart). The CLI's commands keep
SQLite's default. PostgreSQL needs none of this.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import connections

CHECKPOINT_EVERY = 1.0  # seconds between two checkpoints of the server
SQLITE_AUTOCHECKPOINT = 1000  # pages: SQLite's default, for the writer once the server stops
logger = logging.getLogger("tributary")


class Checkpointer:
    def __init__(self, writer: BaseDBAsyncClient, own: BaseDBAsyncClient, every: float) -> None:
        self.writer = writer
        self.own = own
        self.every = every
        self.task: asyncio.Task[None] | None = None

    @classmethod
    async def start(cls, alias: str = "default", every: float = CHECKPOINT_EVERY) -> Checkpointer | None:
        """Takes checkpoints off the SQLite connection `alias` and runs them every `every`
        seconds from now on (None on other backends)."""
        writer: Any = connections.get(alias)
        if writer.capabilities.dialect != "sqlite":
            return None
        own = type(writer)(file_path=writer.filename, connection_name=alias, **writer.pragmas)
        await writer.execute_query("PRAGMA wal_autocheckpoint = 0")
        checkpointer = cls(writer, own, every)
        checkpointer.task = asyncio.create_task(checkpointer._run(), name="wal-checkpoints")
        return checkpointer

    async def checkpoint(self) -> None:
        """Copies what the log holds into the database file, as far as no reader still needs it."""
        await self.own.execute_query("PRAGMA wal_checkpoint(PASSIVE)")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            try:
                await self.checkpoint()
            except Exception:  # the next run tries again; the log keeps every commit meanwhile
                logger.exception("WAL checkpoint failed")

    async def stop(self) -> None:
        """Stops the task and hands checkpoints back to the writer (closing it checkpoints too)."""
        if self.task:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        try:
            await self.own.close()
            # only on an open writer: a statement would reopen a closed one (Tortoise connects on
            # use) on a thread nobody closes, and the process could not exit; a new connection
            # starts at SQLite's default anyway
            if getattr(self.writer, "_connection", None) is not None:
                await self.writer.execute_query(f"PRAGMA wal_autocheckpoint = {SQLITE_AUTOCHECKPOINT}")
        except Exception:  # the shutdown goes on: closing the writer checkpoints anyway
            logger.exception("stopping the WAL checkpointer failed")
