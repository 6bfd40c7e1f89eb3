"""Batch loads for the per-request DataLoaders: one query per batch, always scoped to the account."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar
from uuid import UUID

from tortoise.models import Model

from models import Account

M = TypeVar("M", bound=Model)


async def records_by_id(model: type[M], *, account: Account, ids: Sequence[UUID]) -> list[M | None]:
    found = {str(r.pk): r for r in await model.filter(account=account, id__in=list(set(ids)))}
    return [found.get(str(pk)) for pk in ids]
