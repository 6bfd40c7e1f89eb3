"""Relay cursor connections. Strawberry names `Connection[Company]` CompanyConnection, and so on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Self, TypeVar

import strawberry
from graphql import VariableNode

from resolvers.pagination import FIRST_DEFAULT, FIRST_MAX, Page, PageRequest
from schema.context import Info
from schema.prefetch import node_selections, prefetch

NodeT = TypeVar("NodeT")

__all__ = ["FIRST_DEFAULT", "LIST_DOC", "ORDER_DOC", "Connection", "Edge", "PageInfo", "page_request"]

LIST_DOC = (
    f"Newest first unless orderBy says otherwise. first/last: 1-{FIRST_MAX} (first null means "
    f"{FIRST_DEFAULT}), not both; after: the endCursor of the previous page; before: the startCursor "
    "of the next page (with last, pages run backwards). A cursor works only with the orderBy it came from."
)
ORDER_DOC = (
    "NEWEST_FIRST (the default; null means it too): by createdAt, newest first. UPDATED_FIRST_TO_LAST: "
    "by updatedAt, oldest change first, for keeping a copy in sync: keep the last endCursor and pass it "
    "as after next time; a record changed since it was read comes again after it."
)


def page_request(
    info: Info,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    *,
    default: int = FIRST_DEFAULT,
) -> PageRequest:
    """The resolvers' page request. `first` counts only when the client sent it: its default (50,
    or the field's own) must not collide with a Relay client's `last`."""
    if last is not None and not _sent(info, "first"):
        first = None
    return PageRequest(first=first, after=after, last=last, before=before, default=default)


def _sent(info: Info, argument: str) -> bool:
    """Whether the document gives `argument` a value (a literal, or a variable the request sets)."""
    raw = info._raw_info
    for node in raw.field_nodes[0].arguments or ():
        if node.name.value == argument:
            if isinstance(node.value, VariableNode):
                variables: Any = raw.variable_values  # a plain dict at run time
                return variables.get(node.value.name.value) is not None
            return True
    return False


@strawberry.type(
    description="hasPreviousPage (forward) and hasNextPage (backward) are looked up only when selected."
)
class PageInfo:
    page: strawberry.Private[Page[Any]]

    # cursors are encoded only when selected
    @strawberry.field
    def start_cursor(self) -> str | None:
        return self.page.cursor(self.page.items[0]) if self.page.items else None

    @strawberry.field
    def end_cursor(self) -> str | None:
        return self.page.cursor(self.page.items[-1]) if self.page.items else None

    @strawberry.field
    async def has_next_page(self) -> bool:
        return await self.page.has_next_page()

    @strawberry.field
    async def has_previous_page(self) -> bool:
        return await self.page.has_previous_page()


@strawberry.type
class Edge(Generic[NodeT]):
    node: NodeT
    record: strawberry.Private[Any]
    page: strawberry.Private[Page[Any]]

    @strawberry.field
    def cursor(self) -> str:
        return self.page.cursor(self.record)


@strawberry.type(description="Cursors are opaque; pass endCursor as `after`, startCursor as `before`.")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    page: strawberry.Private[Page[Any]]

    @strawberry.field(description="All records matching the filter (counted only when asked for).")
    async def total_count(self) -> int:
        return await self.page.total_count()

    @classmethod
    async def from_page(cls, info: Info, page: Page[Any], to_node: Callable[[Any], NodeT]) -> Self:
        """The connection of a page, with the nodes' selected relations prefetched."""
        await prefetch(info.context.loaders, page.items, node_selections(info))
        items = page.items
        return cls(
            edges=[Edge(node=to_node(item), record=item, page=page) for item in items],
            page_info=PageInfo(page=page),
            page=page,
        )
