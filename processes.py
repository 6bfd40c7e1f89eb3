"""Running `tributary` as real processes: for the end-to-end tests and the benchmark alike."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent
TRIBUTARY = [sys.executable, str(ROOT / "cli.py")]


def env_for(database_url: str) -> dict[str, str]:
    return {**os.environ, "TRIBUTARY_DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}


def run_cli(database_url: str, *args: str, timeout: float = 60) -> str:
    """Runs `tributary ARGS…` on the database; its standard output (a failure raises with stderr)."""
    done = subprocess.run(
        [*TRIBUTARY, *args], env=env_for(database_url), capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"tributary {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    first_lines: list[str]


KEPT_LINES = 100
DEMO_LINES = 3  # `serve --demo` prints the token, the GraphiQL line and the statistics page


@contextmanager
def serving(
    database_url: str, *extra: str, timeout: float = 30, env: dict[str, str] | None = None, tree: Path = ROOT
) -> Iterator[Server]:
    """`tributary serve` on a free port until the block ends; healthy before it yields. `tree`:
    the checkout whose `cli.py` serves (bench/server_moves.py compares commits).

    Standard output is drained by a thread (uvicorn's access log would otherwise fill the pipe
    and stall the server); its first lines are kept for the tests that read them.
    """
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(tree / "cli.py"), "serve", "--port", str(port), *extra],
        env={**env_for(database_url), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200

    with answering(process, healthy, name="server", timeout=timeout, kept=KEPT_LINES) as lines:
        if "--demo" in extra:
            deadline = time.monotonic() + timeout
            while len(lines) < DEMO_LINES and time.monotonic() < deadline:
                time.sleep(0.05)
        yield Server(process, url, lines)


@contextmanager
def answering(
    process: subprocess.Popen[str],
    ready: Callable[[], bool],
    *,
    name: str,
    timeout: float,
    kept: int | None = None,
) -> Iterator[list[str]]:
    """`process` (its output on a text pipe as stdout) until the block ends, once `ready()` says
    it answers; yields its first `kept` output lines (all when None), stripped.

    A thread drains the pipe, so a chatty process (uvicorn's access log) never stalls on it. A
    process that exits early, or is not ready within `timeout` seconds, raises RuntimeError with
    what it printed; at the end it is terminated, and killed if it has not stopped in 10 s.
    """
    lines: list[str] = []

    def drain() -> None:
        assert process.stdout is not None
        with process.stdout:
            for line in process.stdout:
                if kept is None or len(lines) < kept:
                    lines.append(line.strip())

    drainer = threading.Thread(target=drain, daemon=True)
    drainer.start()
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited early:\n" + "\n".join(lines))
            try:
                if ready():
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start in {timeout:g} s:\n" + "\n".join(lines))
            time.sleep(0.1)
        yield lines
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        drainer.join(timeout=10)
