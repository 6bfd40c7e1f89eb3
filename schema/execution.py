"""graphql-core's execution with a shortcut for plain scalar fields.

A page of 50 persons with three relations is ~600 field executions, and for each graphql-core
builds a resolve info, gathers arguments, calls Strawberry's wrapper and walks
`complete_value` — most of a list page's CPU. A field Strawberry marks as basic (an attribute,
no resolver, no arguments, no field extensions) whose type is a scalar or an enum needs none
of that: its value is the attribute, serialised. Those fields are answered directly; every
other field, a null in a non-null position and any value that does not serialise take
graphql-core's ordinary path, so answers and errors (with their paths) stay exactly the same.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    get_nullable_type,
    is_leaf_type,
    is_non_null_type,
)
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class _PlainLeaf(NamedTuple):
    field: GraphQLField
    leaf: GraphQLLeafType
    non_null: bool


# (schema, type, field) -> the plain leaf, or None when the field needs the ordinary path;
# the schema is kept in the key's value so its id cannot be reused while the entry lives
_PLAIN: dict[tuple[int, str, str], tuple[GraphQLSchema, _PlainLeaf | None]] = {}


def _plain_leaf(schema: GraphQLSchema, parent: GraphQLObjectType, name: str) -> _PlainLeaf | None:
    key = (id(schema), parent.name, name)
    found = _PLAIN.get(key)
    if found is None:
        field = schema.get_field(parent, name)
        plain = None
        if field is not None and getattr(field.resolve, "_is_default", False) and not field.args:
            leaf = get_nullable_type(field.type)
            if is_leaf_type(leaf):
                plain = _PlainLeaf(field, leaf, is_non_null_type(field.type))
        found = _PLAIN[key] = (schema, plain)
    return found[1]


class TributaryExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        middleware = self.middleware_manager
        if middleware is None or not middleware.middlewares:
            plain = _plain_leaf(self.schema, parent_type, field_details_list[0].node.name.value)
            if plain is not None:
                value = plain.field.resolve(source, None)  # type: ignore[misc]
                if value is None and not plain.non_null:
                    return None
                if value is not None:
                    try:
                        coerced = plain.leaf.coerce_output_value(value)
                    except Exception:  # the ordinary path reports it, with its path
                        coerced = None
                    if coerced is not None and coerced is not Undefined:
                        return coerced
        return super().execute_field(parent_type, source, field_details_list, path, position_context)
