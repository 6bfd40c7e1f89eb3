"""Records by id whatever their kind, for Relay's `node` and `nodes`: always inside the account."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from tortoise.models import Model

from models import Account, Company, Deal, Person, Source, User
from resolvers.errors import BadUserInput
from resolvers.ids import parse_ids
from resolvers.scope import records_by_id

NODE_MODELS: tuple[type[Model], ...] = (Source, Company, Person, Deal, User)
MAX_NODES = 200


async def find_nodes(*, account: Account, ids: Sequence[str]) -> list[Model | None]:
    """One record (or None: unknown, malformed or another account's) per id, in order.

    Ids are UUIDs unique across kinds, so each kind is asked once for the whole batch.
    """
    if not 1 <= len(ids) <= MAX_NODES:
        raise BadUserInput(f"ids takes 1 to {MAX_NODES} ids", field="ids")
    wanted = parse_ids(list(ids), field="ids")
    found: dict[UUID, Model] = {}
    for model in NODE_MODELS:
        missing = [i for i in wanted if i not in found]
        if not missing:
            break
        for record in await records_by_id(model, account=account, ids=missing):
            if record is not None:
                found[UUID(str(record.pk))] = record
    return [found.get(u) if (u := _uuid_or_none(i)) else None for i in ids]


def _uuid_or_none(value: str) -> UUID | None:
    try:
        return UUID(value)
    except (ValueError, TypeError, AttributeError):
        return None
