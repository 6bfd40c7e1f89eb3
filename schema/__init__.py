"""The GraphQL schema: the root types composed from one class per domain."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.types.execution import ExecutionContext

from schema.companies import CompanyMutation, CompanyQuery
from schema.deals import DealMutation, DealQuery
from schema.errors import ErrorCodes, log_unexpected
from schema.persons import PersonMutation, PersonQuery
from schema.sources import SourceMutation, SourceQuery
from schema.stats import StatsQuery
from schema.users import UserMutation, UserQuery


@strawberry.type
class Query(UserQuery, SourceQuery, CompanyQuery, PersonQuery, DealQuery, StatsQuery):
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


def build_schema(**extra: Any) -> TributarySchema:
    return TributarySchema(
        query=Query,
        mutation=Mutation,
        # factories: a fresh extension per operation; both caches live at module level
        extensions=[ErrorCodes, lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)],
        **extra,
    )


schema = build_schema()

__all__ = ["build_schema", "schema"]
