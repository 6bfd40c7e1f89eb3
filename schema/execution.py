"""graphql-core's execution, with prefetched subtrees completed in one step.

A page of 50 persons with three relations is ~500 field executions and ~250 objects, and for
each field graphql-core builds a path and a resolve info, gathers arguments, calls Strawberry's
wrapper and walks `complete_value`: most of a list page's CPU, while its database work is done
before the fields are walked (schema/prefetch.py). Most of those fields need none of that:

- a field Strawberry marks as basic (an attribute: no resolver, no arguments, no field
  extensions) of scalar or enum type: its value is the attribute, serialised;
- a basic field holding an object or a list of objects (`edges`, `node`): the objects' fields;
- a relation (`relation_field`) whose record the request's DataLoader already holds: the node;
- `__typename`.

When an object's selection holds only such fields (at any depth), the object is completed by
a plan made once per request and selection (`_Plan`), in one loop, without paths or infos.
Anything else in the selection (another resolver, `@defer`) keeps the ordinary path for that
object, and its fields still take the per-field shortcuts above. Whenever a value does not fit
(a relation not loaded yet, a null in a non-null position, a value that does not serialise,
an object of another type), the plan gives up and graphql-core completes that object itself,
so answers and errors (with their paths) are exactly what graphql-core gives. The schema does
not change.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, NamedTuple

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    Undefined,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.prefetch import MISS, RELATION_TAG, Relation

DEFINITION = "strawberry-definition"  # where Strawberry keeps its field on a GraphQLField


class _PlainLeaf(NamedTuple):
    field: GraphQLField
    leaf: GraphQLLeafType
    non_null: bool


class _PlainObjects(NamedTuple):
    """A basic field holding an object, or a list of objects (`many`)."""

    field: GraphQLField
    object_type: GraphQLObjectType
    non_null: bool
    many: bool
    items_non_null: bool


class _Related(NamedTuple):
    relation: Relation[Any, Any]
    key: str
    node_type: GraphQLObjectType
    field_type: GraphQLOutputType
    non_null: bool


_Shortcut = _PlainLeaf | _PlainObjects | _Related | None

# (schema, type, field) -> its shortcut or None; the schema is kept with the entry, so its id
# cannot be reused while the entry lives
_SHORTCUTS: dict[tuple[int, str, str], tuple[GraphQLSchema, _Shortcut]] = {}


def _shortcut(schema: GraphQLSchema, parent: GraphQLObjectType, name: str) -> _Shortcut:
    key = (id(schema), parent.name, name)
    found = _SHORTCUTS.get(key)
    if found is None:
        found = _SHORTCUTS[key] = (schema, _find_shortcut(schema, parent, name))
    return found[1]


def _find_shortcut(schema: GraphQLSchema, parent: GraphQLObjectType, name: str) -> _Shortcut:
    field = schema.get_field(parent, name)
    if field is None or field.args or name.startswith("__"):
        return None
    inner = get_nullable_type(field.type)
    non_null = is_non_null_type(field.type)
    if getattr(field.resolve, "_is_default", False):
        if is_leaf_type(inner):
            return _PlainLeaf(field, inner, non_null)
        if is_object_type(inner):
            return _PlainObjects(field, inner, non_null, many=False, items_non_null=False)
        if is_list_type(inner):
            assert isinstance(inner, GraphQLList)
            item = get_nullable_type(inner.of_type)
            if is_object_type(item):
                items_non_null = is_non_null_type(inner.of_type)
                return _PlainObjects(field, item, non_null, many=True, items_non_null=items_non_null)
        return None
    definition = (field.extensions or {}).get(DEFINITION)
    resolver = getattr(definition, "base_resolver", None)
    tag = getattr(getattr(resolver, "wrapped_func", None), RELATION_TAG, None)
    if tag is None or definition is None or not is_object_type(inner):
        return None
    if definition.extensions or definition.permission_classes:
        return None
    relation, record_key = tag
    return _Related(relation, record_key, inner, field.type, non_null)


class _GiveUp(Exception):
    """The value does not fit the plan: graphql-core completes the object instead."""


_TYPENAME = object()


class _Plan(NamedTuple):
    """How to complete one object type for one selection: (response name, what, sub-plan)."""

    object_type: GraphQLObjectType
    steps: list[tuple[str, Any, _Plan | None]]


class TributaryExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[tuple[str, int], tuple[Any, _Plan | None]] = {}

    # -- whole objects -------------------------------------------------------------------

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: Any,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        if result is not None and not isinstance(result, Exception):
            object_type = get_nullable_type(return_type)
            if is_object_type(object_type) and not self.is_awaitable(result):
                plan = self._plan(object_type, field_details_list)
                if plan is not None:
                    try:
                        return _run(plan, result, self.context_value)
                    except Exception:  # _GiveUp, or anything the ordinary path reports itself
                        pass
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)

    def _plan(self, object_type: GraphQLObjectType, field_details_list: Any) -> _Plan | None:
        key = (object_type.name, id(field_details_list))
        found = self._plans.get(key)
        if found is None:
            found = self._plans[key] = (field_details_list, self._make_plan(object_type, field_details_list))
        return found[1]

    def _make_plan(self, object_type: GraphQLObjectType, field_details_list: Any) -> _Plan | None:
        grouped, new_defer_usages, forbidden = self.collect_subfields(object_type, field_details_list)
        if new_defer_usages or forbidden or not self._no_middleware():
            return None
        steps: list[tuple[str, Any, _Plan | None]] = []
        for response_name, details in grouped.items():
            node = details[0].node
            if node.arguments:
                return None
            if node.name.value == "__typename":
                steps.append((response_name, _TYPENAME, None))
                continue
            shortcut = _shortcut(self.schema, object_type, node.name.value)
            if shortcut is None:
                return None
            sub = None
            if isinstance(shortcut, _PlainObjects):
                sub = self._plan(shortcut.object_type, details)
            elif isinstance(shortcut, _Related):
                sub = self._plan(shortcut.node_type, details)
            if sub is None and not isinstance(shortcut, _PlainLeaf):
                return None
            steps.append((response_name, shortcut, sub))
        return _Plan(object_type, steps)

    def _no_middleware(self) -> bool:
        middleware = self.middleware_manager
        return middleware is None or not middleware.middlewares

    # -- single fields -------------------------------------------------------------------

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        if self._no_middleware():
            shortcut = _shortcut(self.schema, parent_type, field_details_list[0].node.name.value)
            if isinstance(shortcut, _PlainLeaf):
                answered = _leaf(shortcut, source)
                if answered is not Undefined:
                    return answered
            elif isinstance(shortcut, _Related):
                node = shortcut.relation.cached(self.context_value.loaders, getattr(source, shortcut.key))
                if node is None and not shortcut.non_null:
                    return None
                if node is not None and node is not MISS:
                    return self._complete_node(shortcut, field_details_list, path, node, position_context)
        return super().execute_field(parent_type, source, field_details_list, path, position_context)

    def _complete_node(
        self, related: _Related, field_details_list: Any, path: Path, node: Any, position_context: Any
    ) -> Any:
        """The node's selected fields, with graphql-core's error handling for this field."""
        try:
            completed = self.complete_value(
                related.field_type, field_details_list, None, path, node, position_context
            )
        except Exception as error:
            self.handle_field_error(error, related.field_type, field_details_list, path)
            return None
        if self.is_awaitable(completed):
            return self._await_node(related, field_details_list, path, completed)
        return completed

    async def _await_node(
        self, related: _Related, field_details_list: Any, path: Path, completed: Awaitable[Any]
    ) -> Any:
        try:
            return await completed
        except Exception as error:
            self.handle_field_error(error, related.field_type, field_details_list, path)
            return None


def _leaf(plain: _PlainLeaf, source: Any) -> Any:
    """The serialised attribute, or Undefined where graphql-core's own path must decide."""
    value = plain.field.resolve(source, None)  # type: ignore[misc]
    if value is None:
        return Undefined if plain.non_null else None
    try:
        coerced = plain.leaf.coerce_output_value(value)
    except Exception:  # the ordinary path reports it, with its path
        return Undefined
    return Undefined if coerced is None else coerced


def _run(plan: _Plan, source: Any, context: Any) -> dict[str, Any]:
    """The completed object, or _GiveUp."""
    is_type_of = plan.object_type.is_type_of
    if is_type_of is not None and not is_type_of(source, None):  # type: ignore[arg-type]
        raise _GiveUp
    completed: dict[str, Any] = {}
    for name, step, sub in plan.steps:
        if step is _TYPENAME:
            completed[name] = plan.object_type.name
        elif isinstance(step, _PlainLeaf):
            value = _leaf(step, source)
            if value is Undefined:
                raise _GiveUp
            completed[name] = value
        elif isinstance(step, _PlainObjects):
            value = step.field.resolve(source, None)  # type: ignore[misc]
            if value is None:
                if step.non_null:
                    raise _GiveUp
                completed[name] = None
            elif step.many:
                completed[name] = [_item(sub, item, context, step.items_non_null) for item in value]
            else:
                completed[name] = _run(sub, value, context)  # type: ignore[arg-type]
        else:
            node = step.relation.cached(context.loaders, getattr(source, step.key))
            if node is MISS or (node is None and step.non_null):
                raise _GiveUp
            completed[name] = None if node is None else _run(sub, node, context)  # type: ignore[arg-type]
    return completed


def _item(plan: _Plan | None, item: Any, context: Any, non_null: bool) -> Any:
    if item is None:
        if non_null:
            raise _GiveUp
        return None
    return _run(plan, item, context)  # type: ignore[arg-type]
