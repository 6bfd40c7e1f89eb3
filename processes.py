"""Running `tributary` as real processes for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

TRIBUTARY = [sys.executable, "-m", "server"]


def env_for(database_url: str) -> dict[str, str]:
    return {**os.environ, "TRIBUTARY_DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}


def run_cli(database_url: str, *args: str) -> str:
    done = subprocess.run(
        [*TRIBUTARY, *args], env=env_for(database_url), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
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


@contextmanager
def serving(database_url: str, *extra: str, timeout: float = 30) -> Iterator[Server]:
    port = free_port()
    process = subprocess.Popen(
        [*TRIBUTARY, "serve", "--port", str(port), *extra],
        env=env_for(database_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    lines: list[str] = []
    try:
        deadline = time.monotonic() + timeout
        while True:
            assert process.poll() is None, "server exited early"
            assert time.monotonic() < deadline, "server did not become healthy"
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        if "--demo" in extra and process.stdout:
            lines = [process.stdout.readline().strip() for _ in range(2)]
        yield Server(process, url, lines)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()
