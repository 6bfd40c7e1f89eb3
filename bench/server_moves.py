"""The benchmark's two bulk moves through real servers, on fresh copies of one seeded file.

    python bench/server_moves.py --persons 300000 --rounds 3 [--tree PATH …] [--idle SECONDS]

An experiment beside the benchmark, not a benchmark with targets. It seeds one SQLite database
as bench/run.py does and, per round and tree (alternating), serves a fresh copy with a new
`tributary serve` of that checkout (`--tree`, default this one; compare commits with `git
worktree add`). It then times what bench/run.py times, one mergeSources of the most-used source
into the third and one deleteSource of that one with the second as replacement, but the delete
right after the merge's answer (back to back: it shares the disk with the checkpoint of the
merge's log), and reads the server's peak memory. `--idle` waits that long before each server
starts: on a machine that hands idle memory back to its host, the moves then write into fresh
memory. Prints every round, then medians per tree.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.experiments import fresh_copy, rotated, seed  # noqa: E402
from bench.run import DELETE, MERGE, Bench, most_used_sources, peak_memory_mib, records  # noqa: E402
from bench.throughput import SERVER_ENV  # noqa: E402
from processes import serving  # noqa: E402


class Round(NamedTuple):
    merge: float  # seconds
    merged: int  # records the merge moved
    delete: float  # seconds, right after the merge
    deleted: int
    peak_mib: float  # the server's VmHWM after both


def one_round(tree: Path, database_url: str, token: str) -> Round:
    """A new server of `tree` on the database; the merge, then the delete, then its memory."""
    env = {**SERVER_ENV, "TRIBUTARY_BULK_TIMEOUT": "3600"}
    with serving(database_url, env=env, timeout=60, tree=tree) as server:
        bench = Bench(server.url, token, database_url, "", 1, timeout=3600)
        first, second, third = most_used_sources(bench)
        started = time.perf_counter()
        merged = records(bench.gql(MERGE, ids=[first], into=third)["data"]["mergeSources"]["moved"])
        merge = time.perf_counter() - started
        started = time.perf_counter()
        deleted = records(bench.gql(DELETE, id=third, into=second)["data"]["deleteSource"]["detached"])
        delete = time.perf_counter() - started
        return Round(merge, merged, delete, deleted, peak_memory_mib(server.process.pid))


def line(name: str, r: Round) -> str:
    return (
        f"| {name} | {r.merge:.2f} s ({r.merged:,}) | {r.merge * 300_000 / r.merged:.1f} s "
        f"| {r.delete:.2f} s ({r.deleted:,}) | {r.delete * 300_000 / r.deleted:.1f} s "
        f"| {r.peak_mib:.0f} MiB |"
    )


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--persons", type=int, default=300_000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--tree", type=Path, action="append", help="a checkout to serve (repeatable)")
    p.add_argument("--idle", type=float, default=0.0, help="seconds to wait before each server starts")
    args = p.parse_args(argv)
    trees: list[Path] = [t.resolve() for t in args.tree] if args.tree else [ROOT]
    lines = [
        "| round, tree | mergeSources (records) | per 300,000 | deleteSource next | per 300,000 | peak |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    runs: dict[Path, list[Round]] = {tree: [] for tree in trees}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seeded, copy = folder / "seeded.sqlite3", folder / "copy.sqlite3"
        print(f"seeding {args.persons:,} persons …", flush=True)
        token = seed(seeded, args.persons)
        for round_ in range(args.rounds):
            for tree in rotated(trees, round_):
                fresh_copy(seeded, copy)
                time.sleep(args.idle)
                runs[tree].append(one_round(tree, f"sqlite://{copy}", token))
                lines.append(line(f"{round_ + 1}, {tree.name}", runs[tree][-1]))
                print(lines[-1], flush=True)
    for tree, rounds in runs.items():
        median = Round(
            statistics.median(r.merge for r in rounds), rounds[0].merged,
            statistics.median(r.delete for r in rounds), rounds[0].deleted,
            statistics.median(r.peak_mib for r in rounds),
        )  # fmt: skip
        lines.append(line(f"median, {tree.name}", median))
    print(f"\nServer moves, SQLite, {args.persons:,} persons, idle {args.idle:g} s before each server\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
