"""What the storage experiments (index_costs.py, key_layout.py, move_phases.py) share: arguments,
the seeded SQLite file, and the report's header and move cells."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from bench.run import seed_bench_account
from processes import run_cli
from resolvers.history import RECORD_KINDS

T = TypeVar("T")
# the record tables and their history kinds, in the order the server moves them
RECORD_TABLES = {model._meta.db_table: kind.value for model, kind in RECORD_KINDS.items()}
# a move's (seconds, records moved)
Move = tuple[float, int]
MOVE_COLUMNS = "mergeSources (records) | per 300,000 | deleteSource with replaceWith (records) | per 300,000"


def arguments(doc: str | None, argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--persons", type=int, default=300_000)
    p.add_argument("--rounds", type=int, default=2)
    return p.parse_args(argv)


def seed(path: Path, persons: int) -> str:
    """A new SQLite database with one account seeded as bench/run.py seeds; its admin's token."""
    url = f"sqlite://{path}"
    token = run_cli(url, "create-account", "Experiment", "--admin-email", "bench@example.com").strip()
    seed_bench_account(url, "Experiment", companies=persons // 6, persons=persons, deals=persons // 2)
    return token


def clear(path: Path) -> None:
    """No SQLite file at `path`, nor its WAL and shared-memory files."""
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)


def fresh_copy(source: Path, copy: Path) -> None:
    """`copy` of the SQLite file `source`, on disk before anything is timed: otherwise the first
    commit's fsync would also flush the copy's pages, and a bigger file would pay more for it."""
    clear(copy)
    shutil.copy(source, copy)
    os.sync()


def rotated(variants: Sequence[T], round_: int) -> list[T]:
    """The variants in a different order each round, so none is always measured first."""
    shift = round_ % len(variants)
    return [*variants[shift:], *variants[:shift]]


def title(experiment: str, persons: int, rounds: int) -> str:
    return (
        f"{experiment}, SQLite, {persons:,} persons, {persons // 6:,} companies, {persons // 2:,} deals, "
        f"medians of {rounds} round(s)"
    )


def move_cells(runs: list[Move]) -> str:
    """'5.81 s (129,081) | 13.5 s': the median time, the records moved, that rate per 300,000."""
    seconds = statistics.median(s for s, _ in runs)
    moved = runs[0][1]
    return f"{seconds:.2f} s ({moved:,}) | {seconds * 300_000 / moved:.1f} s" if moved else "— | —"
