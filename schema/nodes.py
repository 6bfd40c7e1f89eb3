"""Relay's `node(id:)` and `nodes(ids:)`: refetch any Source, Company, Person, Deal or User by id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from tortoise.models import Model

from models import Company as CompanyModel
from models import Deal as DealModel
from models import Person as PersonModel
from models import Source as SourceModel
from models import User as UserModel
from resolvers.nodes import MAX_NODES, find_nodes
from schema.companies import Company
from schema.context import Info
from schema.deals import Deal
from schema.node import Node
from schema.persons import Person
from schema.sources import Source
from schema.users import User

TO_NODE: dict[type[Model], Callable[[Any], Node]] = {
    SourceModel: Source.from_model,
    CompanyModel: Company.from_model,
    PersonModel: Person.from_model,
    DealModel: Deal.from_model,
    UserModel: User.from_model,
}


def _to_node(record: Model | None) -> Node | None:
    return None if record is None else TO_NODE[type(record)](record)


@strawberry.type
class NodeQuery:
    @strawberry.field(description="The object with this id in the caller's account; null when there is none.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        found = await find_nodes(account=info.context.account, ids=[id])
        return _to_node(found[0])

    @strawberry.field(
        description=f"One entry per id (1-{MAX_NODES}), in order; null where there is no such object "
        "in the caller's account."
    )
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        return [_to_node(r) for r in await find_nodes(account=info.context.account, ids=ids)]
