"""Loading a page's related records before graphql-core walks the nodes.

DataLoaders already batch, but every nested field that returns an awaitable costs graphql-core
an async detour; for 200 nodes with five relations that is most of the page's time. The list
resolvers therefore load every selected relation level by level (one batched query per loader
and level, through the same DataLoaders), and the node fields answer synchronously from the
loaders' caches (`Relation.load`). Only relations the client selected are loaded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeAlias, TypeVar
from uuid import UUID

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from resolvers.ids import as_uuid
from schema.context import Info, Loaders

# field name -> (loader, foreign-key attribute on the record)
RELATIONS = {
    "source": ("record_sources_by_id", "source_id"),
    "owner": ("users_by_id", "owner_id"),
    "company": ("companies_by_id", "company_id"),
    "person": ("persons_by_id", "person_id"),
    "firstSource": ("record_sources_by_id", "first_source_id"),
    # on history entries (SourceChange)
    "from": ("sources_by_id", "from_source_id"),
    "to": ("sources_by_id", "to_source_id"),
    "by": ("users_by_id", "by_id"),
}


R = TypeVar("R")
T = TypeVar("T")

# what a relation field returns: the node at once, or an awaitable of it (graphql-core takes both)
Related: TypeAlias = T | Awaitable[T | None] | None


class _Miss:
    """Not in the loader's cache (yet)."""


MISS = _Miss()


@dataclass(frozen=True)
class Relation(Generic[R, T]):
    """Records of one table as nodes: through the request's `loader`, turned into nodes by `convert`."""

    loader: str  # a DataLoader of Loaders
    convert: Callable[[R], T]

    def load(self, loaders: Loaders, key: object) -> Related[T]:
        """The node at once when the loader already holds it, else an awaitable of it."""
        node = self.cached(loaders, key)
        if not isinstance(node, _Miss):
            return node
        loader: DataLoader[UUID, R | None] = getattr(loaders, self.loader)
        uuid = as_uuid(key)

        async def later() -> T | None:
            value = await loader.load(uuid)
            return None if value is None else self.convert(value)

        return later()

    def cached(self, loaders: Loaders, key: object) -> T | _Miss | None:
        """The node at once when the loader holds it (None for no key or no record), else MISS."""
        if key is None:
            return None
        future = getattr(loaders, self.loader).cache_map.get(as_uuid(key))
        if future is None or not future.done() or future.cancelled() or future.exception() is not None:
            return MISS
        value = future.result()
        return None if value is None else self.convert(value)


RELATION_TAG = "__tributary_relation__"


def relation_field(to: Relation[Any, Any], key: str, *, graphql_type: Any) -> Any:
    """A node field that follows the foreign key `key` of the record: `to`'s node, or null.

    The resolver is tagged with (`to`, `key`), so the execution context (schema/execution.py)
    can answer it from the loader's cache without graphql-core's per-field machinery.
    """

    def resolve(self: Any, info: Info) -> Any:
        return to.load(info.context.loaders, getattr(self, key))

    setattr(resolve, RELATION_TAG, (to, key))
    return strawberry.field(resolver=resolve, graphql_type=graphql_type)


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


def selects(info: Info, *path: str) -> bool:
    """Whether the client selected `path` (field names, fragments looked through) under this field."""
    level: list[Selection] = [s for f in _fields(info.selected_fields) for s in f.selections]
    for name in path:
        level = [s for f in _fields(level) if f.name == name for s in (f.selections or [f])]
    return bool(level)


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
    """One batch for the keys the loader does not hold yet, straight into its cache: no
    callback per key (a page's DataLoader batches scheduled ~180 of them). The keys' futures go
    into the cache before the batch runs, so a level loading the same keys meanwhile (a
    person's source and its company's source) waits for this batch instead of sending its own."""
    missing = [k for k in keys if loader.cache_map.get(k) is None]
    if missing:
        batch = {k: asyncio.get_running_loop().create_future() for k in missing}
        for key, future in batch.items():
            loader.cache_map.set(key, future)
        try:
            values = await loader.load_fn(missing)
        except Exception as error:
            for future in batch.values():
                future.set_exception(error)
                future.exception()  # retrieved: whoever awaits it gets the error, nobody is warned
            raise
        except BaseException:  # cancelled (the request's budget, a client gone): forget the keys
            for key, future in batch.items():
                loader.cache_map.delete(key)
                future.cancel()
            raise
        for key, value in zip(missing, values, strict=True):
            batch[key].set_result(value)
    futures = [f for k in keys if (f := loader.cache_map.get(k)) is not None]
    pending = [f for f in futures if not f.done()]  # loaded by another level at the same time
    if pending:
        await asyncio.wait(pending)
    loaded = [f.result() for f in futures]
    await prefetch(loaders, [r for r in loaded if r is not None], selections)
