"""Loading a page's related records before graphql-core walks the nodes.

DataLoaders already batch, but every nested field that returns an awaitable costs graphql-core
an async detour; for 200 nodes with five relations that is most of the page's time. The list
resolvers therefore load every selected relation level by level (one batched query per loader
and level, through the same DataLoaders), and the node fields answer synchronously from the
loaders' caches (`now_or_later`). Only relations the client selected are loaded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeAlias, TypeVar
from uuid import UUID

from strawberry.dataloader import DataLoader
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from resolvers.ids import as_uuid
from schema.context import Info, Loaders

# field name -> (loader, foreign-key attribute on the record)
RELATIONS = {
    "source": ("sources_by_id", "source_id"),
    "owner": ("users_by_id", "owner_id"),
    "company": ("companies_by_id", "company_id"),
    "person": ("persons_by_id", "person_id"),
    "firstSource": ("sources_by_id", "first_source_id"),
    # on history entries (SourceChange)
    "from": ("sources_by_id", "from_source_id"),
    "to": ("sources_by_id", "to_source_id"),
    "by": ("users_by_id", "by_id"),
}


R = TypeVar("R")
T = TypeVar("T")

# what a relation field returns: the node at once, or an awaitable of it (graphql-core takes both)
Related: TypeAlias = T | Awaitable[T | None] | None


def now_or_later(loader: DataLoader[UUID, R | None], key: object, convert: Callable[[R], T]) -> Related[T]:
    """The converted record at once when the loader already holds it, else an awaitable of it."""
    if key is None:
        return None
    uuid = as_uuid(key)
    future = loader.cache_map.get(uuid)
    if future is not None and future.done() and future.exception() is None:
        value = future.result()
        return None if value is None else convert(value)

    async def later() -> T | None:
        value = await loader.load(uuid)
        return None if value is None else convert(value)

    return later()


def _fields(selections: Iterable[Selection]) -> Iterable[SelectedField]:
    for selection in selections:
        if isinstance(selection, (FragmentSpread, InlineFragment)):
            yield from _fields(selection.selections)
        else:
            yield selection


def node_selections(info: Info) -> list[Selection]:
    """What the client selected under `edges { node { … } }` of this connection field."""
    found: list[Selection] = []
    for connection in _fields(info.selected_fields):
        for edges in _fields(connection.selections):
            if edges.name == "edges":
                for node in _fields(edges.selections):
                    if node.name == "node":
                        found.extend(node.selections)
    return found


async def prefetch(loaders: Loaders, records: Sequence[object], selections: Sequence[Selection]) -> None:
    jobs = []
    for field in _fields(selections):
        if field.name in RELATIONS and field.selections:
            loader_name, attribute = RELATIONS[field.name]
            keys = {as_uuid(k) for r in records if (k := getattr(r, attribute, None)) is not None}
            if keys:
                jobs.append(_load_level(loaders, getattr(loaders, loader_name), keys, field.selections))
    await asyncio.gather(*jobs)


async def _load_level(
    loaders: Loaders, loader: DataLoader[Any, Any], keys: set[Any], selections: list[Selection]
) -> None:
    loaded = await loader.load_many(list(keys))
    await prefetch(loaders, [r for r in loaded if r is not None], selections)
