"""The frameworks' own ceilings on this machine: what Tributary could reach at best.

- `starlette_app`: bare Starlette answering one JSON object, the floor of every request.
- `strawberry_app`: a bare Strawberry `{ hello }` over Strawberry's own ASGI view, with the parser
  and validation caches Tributary uses, the ceiling of a GraphQL request on this stack.

Served one process each by uvicorn with the options `tributary serve` uses (`serving_app`).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache

from processes import answering

ROOT = Path(__file__).resolve().parent.parent


async def _ok(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


starlette_app = Starlette(routes=[Route("/", _ok, methods=["GET"])])


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "world"


strawberry_app = GraphQL(
    strawberry.Schema(
        query=Query, extensions=[lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)]
    ),
    graphql_ide=None,
)

HELLO = "{ hello }"


@contextmanager
def serving_app(app: str, port: int) -> Iterator[str]:
    """`uvicorn bench.ceilings:APP` on `port` (no access log, as Tributary's default) until the block ends."""
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", f"bench.ceilings:{app}", "--host", "127.0.0.1",
         "--port", str(port), "--no-access-log", "--log-level", "warning"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        httpx.get(url, timeout=1)  # any answer: the app is up
        return True

    with answering(process, ready, name=app, timeout=30):
        yield url
