"""The cost of a document, checked before it runs: heavy fields count more (fair use).

Every field costs 1. A connection multiplies what it selects under `edges` by its page size
(`first`/`last` as written, else the field's default `first`: 50 for lists, 20 for
`sourceHistory`; a variable counts as the largest page, 200); other lists multiply their
selection by LIST_SIZE. So a record's `sourceHistory` inside a list of records counts like any
nested list: its page times the list's page. Heavy fields and arguments add a fixed weight:
`totalCount` and `search` are scans, statistics are aggregates, `__schema` is introspection.
`sourceTrend` weighs twice `sourceStats` once (its statements read the range once, however many
periods: the benchmark holds it to twice the time), and its periods are a list, each period's
`rows` costing what the rows of a `sourceStats` cost. A document over the limit is refused with
BAD_USER_INPUT, before any database work.
"""

from __future__ import annotations

from functools import cache

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
    get_nullable_type,
)

from resolvers.pagination import FIRST_DEFAULT, FIRST_MAX

MAX_COST = 10_000
LIST_SIZE = 20  # sources, users, statistics rows: what a list without paging is assumed to hold
HEAVY_FIELDS = {"totalCount": 100, "sourceStats": 200, "sourceTrend": 400, "__schema": 100}
SEARCH = 300  # a `search` filter scans every record of the account


def document_cost(selections: SelectionSetNode, parent: GraphQLNamedType, context: ValidationContext) -> int:
    total = 0
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            total += _field_cost(selection, parent, context)
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            on = context.schema.get_type(condition.name.value) if condition else parent
            total += document_cost(selection.selection_set, on or parent, context)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = context.get_fragment(selection.name.value)
            if fragment is not None:
                on = context.schema.get_type(fragment.type_condition.name.value)
                total += document_cost(fragment.selection_set, on or parent, context)
    return total


def _field_cost(node: FieldNode, parent: GraphQLNamedType, context: ValidationContext) -> int:
    name = node.name.value
    cost = 1 + HEAVY_FIELDS.get(name, 0) + (SEARCH if _searches(node) else 0)
    definition = _definition(parent, name, context)
    if definition is None or node.selection_set is None:
        return cost
    child = get_named_type(definition.type)
    if child.name.endswith("Connection"):
        size = _page_size(node, definition)
        for part in node.selection_set.selections:
            edges = _definition(child, "edges", context)
            if isinstance(part, FieldNode) and part.name.value == "edges" and part.selection_set and edges:
                edge = get_named_type(edges.type)
                cost += 1 + size * document_cost(part.selection_set, edge, context)
            else:
                cost += document_cost(SelectionSetNode(selections=(part,)), child, context)
        return cost
    inner = document_cost(node.selection_set, child, context)
    is_list = isinstance(get_nullable_type(definition.type), GraphQLList)
    return cost + inner * (LIST_SIZE if is_list else 1)


def _definition(parent: GraphQLNamedType, name: str, context: ValidationContext) -> GraphQLField | None:
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        found: GraphQLField | None = parent.fields.get(name)
        return found
    return None


def _page_size(node: FieldNode, definition: GraphQLField) -> int:
    sizes = [a.value for a in node.arguments or () if a.name.value in {"first", "last"}]
    if not sizes:
        first = definition.args.get("first")
        default = first.default_value if first is not None else None
        return default if isinstance(default, int) else FIRST_DEFAULT
    value = sizes[0]
    if isinstance(value, IntValueNode):
        return max(1, min(int(value.value), FIRST_MAX))
    return FIRST_MAX  # a variable, or null (refused later): count the largest page


def _searches(node: FieldNode) -> bool:
    for argument in node.arguments or ():
        if argument.name.value == "filter":
            value = argument.value
            if not isinstance(value, ObjectValueNode):
                return True  # a variable may hold a search
            return any(f.name.value == "search" for f in value.fields)
    return False


@cache
def max_cost_rule(limit: int) -> type[ValidationRule]:
    class MaxCost(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: object) -> None:
            root = self.context.schema.get_root_type(node.operation)
            if root is None:
                return
            cost = document_cost(node.selection_set, root, self.context)
            if cost > limit:
                self.report_error(
                    GraphQLError(
                        f"this document costs {cost} points, more than the {limit} allowed: ask for "
                        "smaller pages, fewer aliases, totalCount or search less often",
                        node,
                    )
                )

    return MaxCost


__all__ = ["MAX_COST", "document_cost", "max_cost_rule"]
