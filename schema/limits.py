"""Limits on what one GraphQL document may ask for.

The validation rule classes are built once, here: Strawberry's ValidationCache keys on the rule
classes, so rules created per request would make every request validate again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from graphql import ASTValidationRule, NoSchemaIntrospectionCustomRule
from graphql.validation import MaxIntrospectionDepthRule
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, SchemaExtension
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule

from schema.cost import max_cost_rule

MAX_DEPTH = 10  # `persons { edges { node { company { source { usage { … } } } } } }` is 7
MAX_ALIASES = 30
MAX_TOKENS = 5000
MAX_BODY_BYTES = 256 * 1024

_DEPTH = max_depth_rule(MAX_DEPTH, should_ignore=None)
_ALIASES = max_aliases_rule(MAX_ALIASES)


@cache
def validation_rules(*, introspection: bool, max_cost: int) -> tuple[type[ASTValidationRule], ...]:
    # Strawberry's depth rule skips `__` fields; graphql-core's MaxIntrospectionDepthRule stops
    # the circular `__schema { types { fields { type { fields { … } } } } }` instead.
    rules: tuple[type[ASTValidationRule], ...] = (
        _DEPTH,
        _ALIASES,
        MaxIntrospectionDepthRule,
        max_cost_rule(max_cost),
    )
    if not introspection:
        rules += (NoSchemaIntrospectionCustomRule,)
    return rules


def limit_extensions(*, introspection: bool, max_cost: int) -> list[Callable[[], SchemaExtension]]:
    rules = list(validation_rules(introspection=introspection, max_cost=max_cost))
    return [lambda: AddValidationRules(rules), lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS)]
