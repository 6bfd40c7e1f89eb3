"""Cursor connections. Strawberry names `Connection[Company]` CompanyConnection, and so on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Self, TypeVar

import strawberry

from resolvers.pagination import FIRST_DEFAULT, FIRST_MAX, Page, cursor_of
from schema.context import Info
from schema.prefetch import node_selections, prefetch

NodeT = TypeVar("NodeT")

LIST_DOC = (
    f"Newest first. first: 1-{FIRST_MAX} (null means {FIRST_DEFAULT}); "
    "after: the endCursor of the previous page."
)

__all__ = ["FIRST_DEFAULT", "LIST_DOC", "Connection", "Edge", "PageInfo"]


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    node: NodeT
    cursor: str


@strawberry.type(description="Newest first. Cursors are opaque; pass endCursor as `after`.")
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
        edges = [Edge(node=to_node(item), cursor=cursor_of(item)) for item in page.items]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page, end_cursor=edges[-1].cursor if edges else None
            ),
            page=page,
        )
