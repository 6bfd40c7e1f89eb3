"""Account scoping: every lookup by id goes through here.

A record of another account is indistinguishable from one that does not exist, and a malformed
id is the same as an unknown one.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar
from uuid import UUID

from tortoise.models import Model

from models import Account
from resolvers.errors import NotFound
from resolvers.ids import parse_id

M = TypeVar("M", bound=Model)


async def get_in_account(model: type[M], *, account: Account, record_id: str | UUID, field: str = "id") -> M:
    """The record, or NOT_FOUND naming the input `field` that held the id."""
    found = await find_in_account(model, account=account, record_id=record_id)
    if found is None:
        raise NotFound(f"{model.__name__.lower()} not found", field=field)
    return found


async def find_in_account(model: type[M], *, account: Account, record_id: str | UUID) -> M | None:
    try:
        pk = parse_id(record_id, what=model.__name__.lower())
    except NotFound:
        return None
    return await model.get_or_none(id=pk, account=account)


async def optional_in_account(
    model: type[M], *, account: Account, record_id: str | None, field: str
) -> M | None:
    """An optional reference of an input (`companyId`, `personId`): null means none."""
    if record_id is None:
        return None
    return await get_in_account(model, account=account, record_id=record_id, field=field)


async def records_by_id(model: type[M], *, account: Account, ids: Sequence[UUID]) -> list[M | None]:
    """One statement for a DataLoader batch, in the order of `ids`; nothing of another account.

    The statement is written once per model (and, on SQLite, per batch size) instead of being
    built through Tortoise and pypika for each of a page's batches.
    """
    wanted = list({str(pk) for pk in ids})
    if not wanted:
        return [None] * len(ids)
    db = model._meta.db
    params: list[Any]
    if db.capabilities.dialect == "sqlite":
        sql, params = _by_id_sql(model, len(wanted)), [str(account.id), *wanted]
    else:
        sql, params = _by_id_sql(model, 0), [account.id, wanted]
    _, rows = await db.execute_query(sql, params)
    found: dict[str, Any] = {str(r.pk): r for r in (model._init_from_db(**dict(row)) for row in rows)}
    return [found.get(str(pk)) for pk in ids]


@cache
def _by_id_sql(model: type[Model], sqlite_marks: int) -> str:
    """`id IN (?, …)` with `sqlite_marks` marks on SQLite (0: PostgreSQL's `= ANY($2::uuid[])`)."""
    columns = ", ".join(f'"{c}"' for c in model._meta.db_fields)
    ids = f"IN ({', '.join('?' * sqlite_marks)})" if sqlite_marks else "= ANY($2::uuid[])"
    account = "?" if sqlite_marks else "$1"
    # what a model's default manager hides (retired sources: models/source.py) no id finds either
    live = ' AND "retired_at" IS NULL' if "retired_at" in model._meta.db_fields else ""
    return (
        f'SELECT {columns} FROM "{model._meta.db_table}" WHERE "account_id" = {account} AND "id" {ids}{live}'
    )
