"""Throughput under load, measured by wrk: a load generator in C that is not the bottleneck.

One `wrk -t2 -c16` run per figure, driven by a Lua script that sends the request (a GET, or a
POST of a JSON body) and writes requests/s, p50 and p99 to a file when the run ends. A body may
hold `{{uuid}}` and `{{now}}`, replaced in every request (a fresh id and the current instant,
for inserts into tables without SQL defaults). Interleaved comparisons alternate subject and
baseline round by round and keep the median of each.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

THREADS = 2
CONNECTIONS = 16

_LUA = """
local body = {body}
local dynamic = body ~= nil and (body:find("{{{{uuid}}}}", 1, true) or body:find("{{{{now}}}}", 1, true))
wrk.method = {method}
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
{headers}

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

function init(args)
  math.randomseed(os.time() * 1000 + (seed or 0))
end

local function uuid()
  return (string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function(c)
    return string.format("%x", c == "x" and math.random(0, 15) or math.random(8, 11))
  end))
end

if dynamic then
  request = function()
    local now = os.date("!%Y-%m-%dT%H:%M:%SZ")
    local b = body:gsub("{{{{uuid}}}}", uuid):gsub("{{{{now}}}}", now)
    return wrk.format(nil, nil, nil, b)
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  local out = io.open({out}, "w")
  out:write(string.format(
    '{{"requests": %d, "seconds": %f, "p50_us": %f, "p99_us": %f, "errors": %d}}',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    errors.connect + errors.read + errors.write + errors.status + errors.timeout))
  out:close()
end
"""


@dataclass(frozen=True)
class Request:
    """What wrk sends: a GET of `path`, or a POST of `body` (JSON text) to it."""

    path: str
    body: str | None = None
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def graphql(cls, query: str, token: str | None = None, **variables: object) -> Request:
        body = json.dumps({"query": query, "variables": variables} if variables else {"query": query})
        headers = (("Authorization", f"Bearer {token}"),) if token else ()
        return cls("/graphql", body, headers)


@dataclass(frozen=True)
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int

    def describe(self) -> str:
        return f"{self.requests_per_second:,.0f} req/s, p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms"


def ensure_wrk() -> str:
    """wrk's path, installed from Debian's package when missing and running as root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (apt-get install wrk) …", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env, capture_output=True)
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit("bench: wrk is missing; install it with `sudo apt-get install wrk` (Debian, Ubuntu)")


def _lua_string(text: str) -> str:
    # a JSON string literal without \u escapes is a valid Lua string literal
    return json.dumps(text, ensure_ascii=False)


def script(request: Request, out: Path) -> str:
    headers = "\n".join(f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in request.headers)
    return _LUA.format(
        body="nil" if request.body is None else _lua_string(request.body),
        method=_lua_string("GET" if request.body is None else "POST"),
        headers=headers,
        out=_lua_string(str(out)),
    )


def run_wrk(
    base_url: str, request: Request, *, seconds: float, threads: int = THREADS, connections: int = CONNECTIONS
) -> Load:
    """One wrk run; refuses a run where any response was not 2xx or 3xx, or a socket failed."""
    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory() as tmp:
        lua, out = Path(tmp) / "request.lua", Path(tmp) / "result.json"
        lua.write_text(script(request, out))
        duration = f"{max(1, round(seconds))}s"
        done = subprocess.run(
            [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}", "--timeout", "30s", "-s", str(lua),
             base_url.rstrip("/") + request.path],
            capture_output=True, text=True, timeout=seconds + 120,
        )  # fmt: skip
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"wrk failed: {done.stderr or done.stdout}")
        raw = json.loads(out.read_text())
    if raw["errors"]:
        raise RuntimeError(f"wrk: {raw['errors']} of {raw['requests']} requests failed on {request.path}")
    return Load(
        requests_per_second=raw["requests"] / raw["seconds"],
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        requests=raw["requests"],
        errors=raw["errors"],
    )


def median_load(loads: Sequence[Load]) -> Load:
    return Load(
        requests_per_second=statistics.median(x.requests_per_second for x in loads),
        p50_ms=statistics.median(x.p50_ms for x in loads),
        p99_ms=statistics.median(x.p99_ms for x in loads),
        requests=sum(x.requests for x in loads),
        errors=sum(x.errors for x in loads),
    )


def interleaved(
    subject: tuple[str, Request], baseline: tuple[str, Request], *, rounds: int, seconds: float
) -> tuple[Load, Load]:
    """Subject and baseline (each a base URL and a request), alternated `rounds` times: medians."""
    subjects, baselines = [], []
    for _ in range(rounds):
        subjects.append(run_wrk(*subject, seconds=seconds))
        baselines.append(run_wrk(*baseline, seconds=seconds))
    return median_load(subjects), median_load(baselines)
