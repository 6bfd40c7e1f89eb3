"""The Relay `Node` interface: every object with an id a client can refetch by `node(id:)`."""

from __future__ import annotations

import strawberry


@strawberry.interface(description="An object with a globally unique id (a UUID), refetchable with node(id:).")
class Node:
    id: strawberry.ID
