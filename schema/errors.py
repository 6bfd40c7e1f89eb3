"""The one place where failures become GraphQL errors with an `extensions.code`.

Domain errors keep their message and code (plus `field` for input errors). Errors GraphQL
itself raises (syntax, validation, limits, variable coercion) are the client's input:
BAD_USER_INPUT. Anything else is INTERNAL_SERVER_ERROR with a generic message; the traceback
goes to the log, never to the client. The HTTP view applies this to every response.
"""

from __future__ import annotations

import logging
import re

from graphql import GraphQLError

from resolvers.errors import DomainError

logger = logging.getLogger("tributary")

INTERNAL = "INTERNAL_SERVER_ERROR"

# where graphql-core names the offending input, most specific first
_INPUT_NAMES = [
    re.compile(r"invalid value at [\w.\[\]]*?(\w+)(?:\[\d+\])?:"),  # "... at .input.value:"
    re.compile(r"Field '(\w+)'"),
    re.compile(r"required field '(\w+)'"),
    re.compile(r"[Aa]rgument '(\w+)'"),
    re.compile(r"Variable '\$(\w+)'"),
]


def is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    if original is None or isinstance(original, (DomainError, GraphQLError)):
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
    if field := _input_field(error.message):
        extensions["field"] = field
    return _with(error, error.message, extensions)


def _input_field(message: str) -> str | None:
    for pattern in _INPUT_NAMES:
        if match := pattern.search(message):
            return match.group(1)
    return None


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
