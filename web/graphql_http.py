"""GraphQL over HTTP at /graphql: the GraphQL Foundation's spec, Apollo's persisted queries, auth.

- `application/graphql-response+json` when the client accepts it (preferred over JSON), with the
  spec's status codes: a request error (the body, the document, its validation or its variables)
  is 4xx with no `data` entry; an executed operation is 200. `application/json` otherwise, where
  every executed or refused document is 200 as in v1, and only broken HTTP requests are 4xx.
- Every refusal is a JSON body with `errors[0].extensions.code`, never plain text.
- Queries over GET and POST; mutations only over POST (405 over GET).
- A bearer token is required, except (while introspection is on) for documents that select only
  `__schema`, `__type` and `__typename`, so docs and code generators work before a token is pasted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType as StrawberryOperationType

from resolvers.errors import DomainError
from schema import TributarySchema
from schema.context import Context
from schema.errors import to_client_error
from schema.limits import CACHED_DOCUMENTS, parse_document
from web.auth import signed_in_user
from web.availability import database_unreachable
from web.fair_use import ClientGone, TimedOut, fair_turn, within_budget
from web.persisted_queries import PersistedQueries, PersistedQueryNotFound
from web.refusals import GRAPHQL_RESPONSE, JSON, error_body, json_response, response_media_type

MAX_VARIABLE_DEPTH = 32  # nesting of lists and objects in `variables`; real inputs need 3


@dataclass
class Refusal(Exception):
    """A request refused before its document runs."""

    status: int
    message: str
    code: str = "BAD_USER_INPUT"
    field: str | None = None
    headers: dict[str, str] | None = None


@dataclass(frozen=True)
class Params:
    query: str | None
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None


class GraphQLEndpoint:
    def __init__(
        self,
        schema: TributarySchema,
        *,
        introspection: bool,
        ide_html: str | None,
        timeout: float,
        bulk_timeout: float,
    ) -> None:
        self.schema = schema
        self.introspection = introspection
        self.ide_html = ide_html
        self.timeout = timeout
        self.bulk_timeout = bulk_timeout  # a document that is one of BULK_MOVES
        self.persisted = PersistedQueries()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # no subscriptions: websockets are not served
        try:
            response = await self.handle(Request(scope, receive))
        except ClientGone:
            return  # nobody is listening: the work was stopped, nothing is sent
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        media = response_media_type(request.headers.get("accept", ""))
        if is_ide_request(request):
            return HTMLResponse(self.ide_html) if self.ide_html else PlainTextResponse("Not Found", 404)
        try:
            return await self._run(request, media)
        except Refusal as refusal:
            return refused(refusal, media)

    async def _run(self, request: Request, media: str) -> Response:
        params = await read_params(request)
        try:
            query, register = self.persisted.resolve(params.query, params.extensions)
        except DomainError as e:
            status = 200 if media == JSON else (404 if isinstance(e, PersistedQueryNotFound) else 400)
            raise Refusal(status, e.message, e.code, e.field) from None
        if query is None:
            raise Refusal(400, "no GraphQL query found in the request", field="query")
        user = signed_in_user(request)
        anonymous_allowed = self.introspection and selects_only_introspection(query, params.operation_name)
        if user is None and not anonymous_allowed:
            raise Refusal(
                401,
                "a valid bearer token is required",
                "UNAUTHENTICATED",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if register:
            self.persisted.register(register, query)
        allowed = {StrawberryOperationType.QUERY}
        if request.method == "POST":
            allowed.add(StrawberryOperationType.MUTATION)
        execution = self.schema.execute(
            query,
            variable_values=params.variables,
            context_value=Context(request=request, caller=user),
            operation_name=params.operation_name,
            allowed_operation_types=allowed,
        )
        if user is not None:
            reads_only = operation_type(query, params.operation_name) == OperationType.QUERY
            execution = fair_turn(request, execution, account_id=str(user.account_id), reads_only=reads_only)
        try:
            bulk = self.bulk_timeout if is_one_bulk_move(query, params.operation_name) else None
            result = await within_budget(
                execution, receive=request.receive, seconds=self.timeout, bulk_seconds=bulk
            )
        except TimedOut as stopped:
            # an executed document is 200 in JSON; without data the spec's media type wants 5xx
            status = 200 if media == JSON else 504
            message = f"the request took longer than {stopped.seconds:g} s and was stopped"
            if stopped.kept:
                message += "; what it had written was kept"
            raise Refusal(status, message, "TIMEOUT") from None
        except InvalidOperationTypeError:
            raise Refusal(405, "mutations are only accepted over POST", headers={"Allow": "POST"}) from None
        except MissingQueryError:
            raise Refusal(400, "no GraphQL query found in the request", field="query") from None
        unreachable = next((e for e in result.errors or () if database_unreachable(e.original_error)), None)
        if unreachable is not None:
            raise unreachable.original_error  # type: ignore[misc]  # DatabaseUnavailable answers 503
        return result_response(result, media)


def is_ide_request(request: Request) -> bool:
    params = request.query_params
    return (
        request.method == "GET"
        and "query" not in params
        and "extensions" not in params
        and "text/html" in request.headers.get("accept", "")
    )


async def read_params(request: Request) -> Params:
    if request.method == "GET":
        raw: object = {
            "query": request.query_params.get("query"),
            "operationName": request.query_params.get("operationName"),
            "variables": _json_param(request, "variables"),
            "extensions": _json_param(request, "extensions"),
        }
    else:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != JSON:
            raise Refusal(415, "send the request as Content-Type: application/json")
        raw = _parse_json(await request.body(), what="the request body")
    if isinstance(raw, list):
        raise Refusal(400, "batched requests are not supported: send one operation per request")
    if not isinstance(raw, dict):
        raise Refusal(400, "the request body must be a JSON object")
    query, variables = raw.get("query"), raw.get("variables")
    operation_name, extensions = raw.get("operationName"), raw.get("extensions")
    if not isinstance(query, str | None):
        raise Refusal(400, "query must be a string", field="query")
    if not isinstance(variables, dict | None):
        raise Refusal(400, "variables must be an object", field="variables")
    if not isinstance(operation_name, str | None):
        raise Refusal(400, "operationName must be a string", field="operationName")
    if not isinstance(extensions, dict | None):
        raise Refusal(400, "extensions must be an object", field="extensions")
    if _depth(variables) > MAX_VARIABLE_DEPTH:
        raise Refusal(400, f"variables nest deeper than {MAX_VARIABLE_DEPTH} levels", field="variables")
    return Params(query, variables, operation_name, extensions)


def _json_param(request: Request, name: str) -> object:
    value = request.query_params.get(name)
    return None if value is None else _parse_json(value.encode(), what=name)


def _parse_json(body: bytes, *, what: str) -> object:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise Refusal(400, f"{what} is not valid JSON") from None


def _depth(value: object) -> int:
    """Nesting depth of JSON values, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        current, level = stack.pop()
        if isinstance(current, dict | list):
            deepest = max(deepest, level)
            children = current.values() if isinstance(current, dict) else current
            stack.extend((child, level + 1) for child in children)
    return deepest


@lru_cache(maxsize=CACHED_DOCUMENTS)
def _operation(query: str, operation_name: str | None) -> tuple[DocumentNode, OperationDefinitionNode] | None:
    """The document and the operation a request would run (None when it does not parse or pick one)."""
    try:
        document = parse_document(query)
    except GraphQLError:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    return (document, operations[0]) if len(operations) == 1 else None


def operation_type(query: str, operation_name: str | None) -> OperationType | None:
    found = _operation(query, operation_name)
    return found[1].operation if found else None


# the mutations that may have the bulk time budget (models/time_limit.py): admins only, one at a
# time per account, each rewriting every record on the sources it names
BULK_MOVES = frozenset({"deleteSource", "mergeSources"})


def is_one_bulk_move(query: str, operation_name: str | None) -> bool:
    """Whether the operation to run is a mutation of exactly one field, one of BULK_MOVES."""
    found = _operation(query, operation_name)
    if found is None or found[1].operation != OperationType.MUTATION:
        return False
    selections = found[1].selection_set.selections
    return (
        len(selections) == 1
        and isinstance(selections[0], FieldNode)
        and selections[0].name.value in BULK_MOVES
    )


def selects_only_introspection(query: str, operation_name: str | None) -> bool:
    """Whether the operation to run selects nothing but `__schema`, `__type` and `__typename`."""
    found = _operation(query, operation_name)
    if found is None or found[1].operation != OperationType.QUERY:
        return False
    document, operation = found
    return _only_meta_fields(operation.selection_set, document, set())


def _only_meta_fields(selections: SelectionSetNode, document: DocumentNode, seen: set[str]) -> bool:
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            if not selection.name.value.startswith("__"):
                return False
        elif isinstance(selection, InlineFragmentNode):
            if not _only_meta_fields(selection.selection_set, document, seen):
                return False
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in seen:
                continue
            seen.add(name)
            fragment = next(
                (
                    d
                    for d in document.definitions
                    if isinstance(d, FragmentDefinitionNode) and d.name.value == name
                ),
                None,
            )
            if fragment is None or not _only_meta_fields(fragment.selection_set, document, seen):
                return False
    return True


def is_request_error(result: ExecutionResult) -> bool:
    """The document never ran: it did not parse or validate, or its variables were refused.

    Errors of an executed operation always carry a `path`; these never do.
    """
    errors = result.errors or []
    return result.data is None and bool(errors) and all(e.path is None for e in errors)


def result_response(result: ExecutionResult, media: str) -> Response:
    body: dict[str, Any] = {}
    request_error = is_request_error(result)
    if media == JSON or not request_error:
        body["data"] = result.data
    if result.errors:
        body["errors"] = [to_client_error(e).formatted for e in result.errors]
    status = 400 if media == GRAPHQL_RESPONSE and request_error else 200
    return json_response(body, status, media)


def refused(refusal: Refusal, media: str) -> Response:
    body = error_body(refusal.message, refusal.code, media, refusal.field)
    return json_response(body, refusal.status, media, refusal.headers)
