"""What a sync may hand out: only changes that no write still in flight can precede.

A sync reads in update order and keeps its last cursor, so a change that commits *after* a
later-stamped one was read would be skipped for good. Stamps are taken inside each write, next to
its statement, so:

- SQLite (one writer per database, statements in turn): writes commit in the order of their
  stamps; nothing needs holding back.
- PostgreSQL (many connections at once): a long transaction, such as a merge of a large source,
  commits with the stamp of its start while shorter writes commit meanwhile. A sync page
  therefore leaves out the changes stamped at or after the start of the oldest transaction of
  another session that is writing, less MARGIN (for the moments between a stamp in Python and
  its statement, and clocks of different hosts); they come with a later page, once it ends.
  With no write in flight nothing is held back. Sessions of other database roles are not seen
  (PostgreSQL hides their state): run every Tributary process as one role.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.connection import connections
from tortoise.expressions import Q

MARGIN = timedelta(seconds=1)

_OLDEST_WRITER = """
SELECT min(xact_start) AS started FROM pg_stat_activity
WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"""


async def settled_q(column: str) -> Q:
    """The rows whose `column` (a change's stamp) no write in flight can precede."""
    client = connections.get("default")
    if client.capabilities.dialect != "postgres":
        return Q()
    rows = await client.execute_query_dict(_OLDEST_WRITER)
    started: datetime | None = rows[0]["started"] if rows else None
    if started is None:
        return Q()
    bound: dict[str, Any] = {f"{column}__lt": started - MARGIN}
    return Q(**bound)
