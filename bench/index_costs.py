"""What each family of source indexes costs a bulk move and buys the statistics (SQLite).

    python bench/index_costs.py --persons 300000 --rounds 2

An experiment for choosing the record tables' indexes, not a benchmark with targets: it seeds
one SQLite database, and for each variant (the schema as migrated, then without some of its
indexes, dropped on a copy) serves a copy and measures the per-owner statistics and the two
bulk moves of `bench/run.py` (a merge of the most-used source, then a delete with replacement
of the merged one). Variants alternate within each round, on fresh copies, so the machine's
drift falls on all of them alike; the figures are medians over the rounds.

Without `*_source_fk` and `*_first_source_fk`, ON DELETE SET NULL finds a deleted source's
records by a skip-scan of `*_by_source` here, because `tributary seed` leaves planner statistics
(ANALYZE); a database without them would scan every record table per deleted source instead.
"One owner" is the first of the 8 seeded users by name.
"""

from __future__ import annotations

import re
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.experiments import (  # noqa: E402
    MOVE_COLUMNS,
    RECORD_TABLES,
    Move,
    arguments,
    fresh_copy,
    move_cells,
    rotated,
    seed,
    title,
)
from bench.figures import Figure  # noqa: E402
from bench.run import ENABLE_SOURCES, Bench, bulk_moves  # noqa: E402
from processes import serving  # noqa: E402

# variant → the index suffixes it drops from every record table
VARIANTS = {
    "as migrated": (),
    "without *_owner, *_first_owner": ("owner", "first_owner"),
    "without *_source_fk, *_first_source_fk": ("source_fk", "first_source_fk"),
    "without both": ("owner", "first_owner", "source_fk", "first_source_fk"),
}
OWNER_STATS = """query($users: [ID!]) { sourceStats(contactKind: ALL, userIds: $users) {
  count deals { count totalValue } } }"""
ALL_STATS = "{ sourceStats(contactKind: ALL) { count deals { count totalValue } } }"
USERS = "{ users { id } }"
STATS_RUNS = 5


@dataclass
class Measured:
    owner_stats_ms: list[float] = field(default_factory=list)
    all_stats_ms: list[float] = field(default_factory=list)
    merge: list[Move] = field(default_factory=list)
    delete: list[Move] = field(default_factory=list)


def copy_without(seeded: Path, copy: Path, suffixes: tuple[str, ...]) -> None:
    """`copy` of `seeded` without the record tables' indexes named `<table>_<suffix>`."""
    fresh_copy(seeded, copy)
    with closing(sqlite3.connect(copy)) as db, db:
        for suffix in suffixes:
            for table in RECORD_TABLES:
                db.execute(f'DROP INDEX "{table}_{suffix}"')


def median_ms(bench: Bench, query: str, **variables: object) -> float:
    bench.gql(query, **variables)  # warm
    times = []
    for _ in range(STATS_RUNS):
        started = time.perf_counter()
        bench.gql(query, **variables)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def measure(copy: Path, token: str, measured: Measured) -> None:
    url = f"sqlite://{copy}"
    with serving(url, env={"TRIBUTARY_BULK_TIMEOUT": "3600"}) as server:
        bench = Bench(server.url, token, url, account_id="", rounds=1, timeout=3600)
        bench.gql(ENABLE_SOURCES)
        one_owner = [bench.gql(USERS)["data"]["users"][0]["id"]]
        measured.owner_stats_ms.append(median_ms(bench, OWNER_STATS, users=one_owner))
        measured.all_stats_ms.append(median_ms(bench, ALL_STATS))
        merge, delete = bulk_moves(bench)
        for figure, into in ((merge, measured.merge), (delete, measured.delete)):
            into.append((figure.value, moved(figure)))


def moved(figure: Figure) -> int:
    """The records a bulk-move row of bench/run.py moved ("one call, 129,081 records moved")."""
    found = re.search(r"([\d,]+) records moved", figure.baseline)
    if found is None:
        raise ValueError(f"not a bulk-move row: {figure.baseline!r}")
    return int(found.group(1).replace(",", ""))


def report(results: dict[str, Measured], persons: int, rounds: int) -> str:
    lines = [
        title("Index costs", persons, rounds),
        "",
        f"| indexes | sourceStats(ALL, 1 owner) | sourceStats(ALL) | {MOVE_COLUMNS} |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, m in results.items():
        owner_stats, all_stats = statistics.median(m.owner_stats_ms), statistics.median(m.all_stats_ms)
        stats = f"{owner_stats:.1f} ms | {all_stats:.1f} ms"
        lines.append(f"| {name} | {stats} | {move_cells(m.merge)} | {move_cells(m.delete)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = arguments(__doc__, argv)
    with tempfile.TemporaryDirectory() as tmp:
        seeded, copy = Path(tmp) / "seeded.sqlite3", Path(tmp) / "copy.sqlite3"
        print(f"seeding {args.persons:,} persons …", flush=True)
        token = seed(seeded, args.persons)
        results = {name: Measured() for name in VARIANTS}
        for round_ in range(args.rounds):
            for name in rotated(list(VARIANTS), round_):
                print(f"round {round_ + 1}: {name} …", flush=True)
                copy_without(seeded, copy, VARIANTS[name])
                measure(copy, token, results[name])
    print(report(results, args.persons, args.rounds))


if __name__ == "__main__":
    main()
