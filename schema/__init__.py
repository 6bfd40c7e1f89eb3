"""The GraphQL schema: the root types composed from one class per domain."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types.execution import ExecutionContext

from schema.companies import CompanyMutation, CompanyQuery
from schema.cost import MAX_COST
from schema.deals import DealMutation, DealQuery
from schema.errors import log_unexpected
from schema.execution import TributaryExecutionContext
from schema.limits import document_limits
from schema.nodes import NodeQuery
from schema.persons import PersonMutation, PersonQuery
from schema.scalars import DateTimeScalar, DecimalScalar
from schema.sources import SourceMutation, SourceQuery
from schema.stats import StatsQuery
from schema.sync import SyncQuery
from schema.users import UserMutation, UserQuery


@strawberry.type
class Query(NodeQuery, UserQuery, SourceQuery, CompanyQuery, PersonQuery, DealQuery, StatsQuery, SyncQuery):
    pass


@strawberry.type
class Mutation(UserMutation, SourceMutation, CompanyMutation, PersonMutation, DealMutation):
    pass


class TributarySchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # domain errors are answers, not incidents: only the unexpected ones are logged
        log_unexpected(errors)


def build_schema(*, introspection: bool = True, max_cost: int = MAX_COST) -> TributarySchema:
    """With introspection off, field suggestions ("did you mean …") are off too."""
    return TributarySchema(
        query=Query,
        mutation=Mutation,
        # a factory: a fresh extension per operation; its caches live at module level
        extensions=[lambda: document_limits(introspection=introspection, max_cost=max_cost)],
        config=StrawberryConfig(disable_field_suggestions=not introspection),
        scalar_overrides={datetime: DateTimeScalar, Decimal: DecimalScalar},
        execution_context_class=TributaryExecutionContext,
    )


schema = build_schema()

__all__ = ["build_schema", "schema"]
