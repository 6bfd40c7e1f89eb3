"""Limits on what one GraphQL document may ask for, checked once per document text.

`DocumentLimits` is the schema's one extension: it parses with the token limit and validates
with the limit rules, both cached by the document's text (the same parse cache the HTTP
endpoint reads the operation from). One extension instead of four (Strawberry's
MaxTokensLimiter, AddValidationRules, ParserCache and ValidationCache) is one object and two
hooks per request instead of four objects and their hooks. The validation rule classes are
built once, here: the validation cache keys on them, so rules created per request would make
every request validate again.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache, lru_cache

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
    parse,
)
from graphql.validation import MaxIntrospectionDepthRule
from strawberry.extensions import SchemaExtension
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


CACHED_DOCUMENTS = 256  # distinct document texts kept parsed and validated (bounded: texts are the client's)


@lru_cache(maxsize=CACHED_DOCUMENTS)
def parse_document(query: str) -> DocumentNode:
    """The parsed document; GraphQLError for a syntax error or more than MAX_TOKENS tokens."""
    return parse(query, max_tokens=MAX_TOKENS)


@lru_cache(maxsize=CACHED_DOCUMENTS)
def _validate(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...]
) -> list[GraphQLError]:
    from strawberry.schema.schema import validate_document  # imported late: it imports the schema module

    return validate_document(schema, document, rules)


class DocumentLimits(SchemaExtension):
    def __init__(self, rules: tuple[type[ASTValidationRule], ...]) -> None:
        self.rules = rules

    def on_parse(self) -> Iterator[None]:
        self.execution_context.graphql_document = parse_document(self.execution_context.query or "")
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None
        rules = (*context.validation_rules, *self.rules)
        context.pre_execution_errors = _validate(context.schema._schema, context.graphql_document, rules)
        yield


def document_limits(*, introspection: bool, max_cost: int) -> DocumentLimits:
    return DocumentLimits(validation_rules(introspection=introspection, max_cost=max_cost))
