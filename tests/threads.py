"""Threads a test leaves running. aiosqlite runs each connection on a thread that is not a daemon,
so one connection left open keeps the process from exiting after the last test."""

from __future__ import annotations

import threading
from collections.abc import Iterable


def sqlite_threads() -> set[threading.Thread]:
    """The threads of the process's open aiosqlite connections."""
    return {t for t in threading.enumerate() if "_connection_worker_thread" in t.name}


def still_running(threads: Iterable[threading.Thread]) -> list[str]:
    """The names of `threads` still running a moment later (a closed connection's thread ends
    right after its close)."""
    threads = list(threads)
    for thread in threads:
        thread.join(timeout=2)
    return [t.name for t in threads if t.is_alive()]
