"""The one place where failures become GraphQL errors with an `extensions.code`.

Domain errors keep their message and code (plus `field` for input errors). Errors GraphQL
itself raises (syntax, validation, limits, variable coercion) are the client's input:
BAD_USER_INPUT, with `field` naming the argument or input field at fault — never the client's
variable: `sourceStats(contactKind: $k)` with a bad `$k` names "contactKind". Anything else is
INTERNAL_SERVER_ERROR with a generic message; the traceback goes to the log, never to the
client. The HTTP view applies this to every response.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from graphql import (
    ArgumentNode,
    GraphQLError,
    GraphQLSyntaxError,
    Node,
    ObjectFieldNode,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    parse,
    visit,
)

from resolvers.errors import DomainError

logger = logging.getLogger("tributary")

INTERNAL = "INTERNAL_SERVER_ERROR"

# input names that graphql-core writes into its messages, most specific first
_NAMED_IN_MESSAGE = [
    re.compile(r"required field '(\w+)'"),  # "... to include required field 'firstName' ..."
    re.compile(r"unknown field '(\w+)'"),
    re.compile(r"\(\s*(\w+):\)"),  # "Argument 'Mutation.deleteSource(confirm:)' ... is required"
    re.compile(r"[Aa]rgument '(\w+)'"),  # "Unknown argument 'bogus' on field ..."
]
# "Variable '$input' has invalid value at .value: ...", "Variable '$k' of required type ..."
_VARIABLE = re.compile(r"Variable '\$(?P<name>\w+)'(?: has invalid value(?P<path> at [^:]*)?)?")


def is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    if original is None or isinstance(original, (DomainError, GraphQLError)):
        return False
    if error.path is None and isinstance(original, ValueError):
        # a scalar refusing a literal while the document is validated (our DateTime, Decimal)
        return False
    # Strawberry's own input coercion failures (e.g. a null for a Maybe[str])
    return type(original).__name__ != "StrawberryInputCoercionError"


def to_client_error(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if isinstance(original, DomainError):
        extensions: dict[str, object] = {"code": original.code}
        if original.field:
            extensions["field"] = original.field
        return _with(error, original.message, extensions)
    if is_unexpected(error):
        return _with(error, "Internal server error.", {"code": INTERNAL})
    extensions = {"code": "BAD_USER_INPUT"}
    if field := input_field(error):
        extensions["field"] = field
    return _with(error, error.message, extensions)


def input_field(error: GraphQLError) -> str | None:
    """The argument or input field an input error is about, from the message or the document."""
    for pattern in _NAMED_IN_MESSAGE:
        if match := pattern.search(error.message):
            return match.group(1)
    if match := _VARIABLE.search(error.message):
        inside = re.findall(r"\.(\w+)", match.group("path") or "")
        # a field inside the variable's value names itself; else where the variable is used
        return inside[-1] if inside else _where_used(error, match.group("name"))
    return _holding_argument(error)


def _where_used(error: GraphQLError, variable: str) -> str | None:
    """The argument or input field that the first use of `$variable` fills."""

    def is_use(node: Node, ancestors: list[Any]) -> bool:
        return (
            isinstance(node, VariableNode)
            and node.name.value == variable
            and not any(isinstance(a, VariableDefinitionNode) for a in ancestors)
        )

    return _find(error, is_use)


def _holding_argument(error: GraphQLError) -> str | None:
    """For an error on a literal value: the argument or input field whose value it is."""
    node = error.nodes[0] if error.nodes else None
    if not isinstance(node, ValueNode) or node.loc is None:
        return None
    start, kind = node.loc.start, node.kind

    def is_value(candidate: Node, ancestors: list[Any]) -> bool:
        return candidate.kind == kind and candidate.loc is not None and candidate.loc.start == start

    return _find(error, is_value)


def _find(error: GraphQLError, matches: Callable[[Node, list[Any]], bool]) -> str | None:
    """Parses the document again (only on this error path) and names the innermost argument or
    input field around the first node that `matches(node, ancestors)`."""
    if error.source is None:
        return None
    try:
        document = parse(error.source)
    except GraphQLSyntaxError:
        return None
    found: list[str] = []

    class Finder(Visitor):
        def enter(self, node: Node, key: Any, parent: Any, path: Any, ancestors: list[Any]) -> Any:
            if found:
                return Visitor.BREAK
            lineage = [*ancestors, parent]  # graphql-core's ancestors stop short of the parent
            if matches(node, lineage):
                names = [a.name.value for a in lineage if isinstance(a, ArgumentNode | ObjectFieldNode)]
                if names:
                    found.append(names[-1])
                return Visitor.BREAK
            return None

    visit(document, Finder())
    return found[0] if found else None


def _with(error: GraphQLError, message: str, extensions: dict[str, object]) -> GraphQLError:
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


def log_unexpected(errors: list[GraphQLError]) -> None:
    for error in errors:
        if is_unexpected(error):
            logger.error("unexpected error at %s", error.path, exc_info=error.original_error)
