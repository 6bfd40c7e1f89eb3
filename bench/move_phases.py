"""Where a bulk move's time goes on SQLite: its statements, its commit, the checkpoint after it.

    python bench/move_phases.py --persons 300000 --rounds 3

An experiment beside the benchmark, not a benchmark with targets. It seeds one SQLite database
(`tributary seed`) and, on a fresh copy per round, runs the benchmark's two moves (a merge of
the most-used source into the third, then a delete of that one with the second as
replacement) as the statements the server runs on SQLite, timed by kind of statement
(bench/key_layout.py `move`, on the migrated layout): the history entries, the records'
`updated_at` (their source ids are kept: the sources become aliases, resolvers/aliases.py), the
records whose first source only follows, the retired sources, the commit, and then the PASSIVE
checkpoint that the server's checkpointer runs after the move is answered
(models/checkpoints.py). Medians per phase.

Beside them, alternating by round, the same two moves as the server wrote them before 48bbd50
("ids rewritten": every moved record's source and first source rewritten, with seven index
entries each, and the sources deleted), and as it wrote them until 4bab3e7 (ids kept, in a
1 GiB page cache). A second table gives what each move wrote to the write-ahead log, by the
table or index each page belonged to (SQLite's `dbstat`; medians in MB).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.experiments import arguments, rotated, seed, title  # noqa: E402
from bench.key_layout import AFTER_ANSWER, OLD_BULK_CACHE_KIB, PHASES, TimedMove, both_moves  # noqa: E402

SERVER = "as the server moves (ids kept, default cache)"
# name: (ids_kept, cache_kib) of `both_moves`. 48bbd50 kept the records' source ids (sources
# retired as aliases); 4bab3e7 dropped the 1 GiB page cache of bulk moves.
VARIANTS = {
    "ids rewritten, 1 GiB cache (before 48bbd50)": (False, OLD_BULK_CACHE_KIB),
    "ids kept, 1 GiB cache (48bbd50 to 4bab3e7)": (True, OLD_BULK_CACHE_KIB),
    SERVER: (True, None),
}


def report(runs: dict[str, list[list[TimedMove]]], persons: int, rounds: int) -> str:
    """`runs`: per variant, per round, [the merge, the delete]."""
    moves = {
        (name, kind): [run[i] for run in by_round]
        for name, by_round in runs.items()
        for i, kind in enumerate(("mergeSources", "deleteSource with replaceWith"))
    }

    def cell(timed: list[TimedMove], phase: str | None) -> str:
        if phase is None:
            return f"{statistics.median(m.answered[0] for m in timed):.2f} s"
        return f"{statistics.median(m.phases.get(phase, 0.0) for m in timed):.2f} s"

    def row(label: str, phase: str | None) -> str:
        return f"| {label} | " + " | ".join(cell(timed, phase) for timed in moves.values()) + " |"

    def per_300k(timed: list[TimedMove]) -> str:
        return f"{statistics.median(m.answered[0] for m in timed) * 300_000 / timed[0].moved:.1f} s"

    heads = [f"{kind}, {name} ({timed[0].moved:,} records)" for (name, kind), timed in moves.items()]
    lines = [
        title("Move phases", persons, rounds),
        "",
        "| phase | " + " | ".join(heads) + " |",
        "| --- |" + " ---: |" * len(heads),
    ]
    for phase in PHASES:
        if phase == AFTER_ANSWER:
            lines.append(row("until the answer", None))
            rates = " | ".join(per_300k(timed) for timed in moves.values())
            lines.append(f"| the same per 300,000 records | {rates} |")
        lines.append(row(phase, phase))
    lines += ["", *log_table(moves)]
    return "\n".join(lines)


def log_table(moves: dict[tuple[str, str], list[TimedMove]]) -> list[str]:
    """Megabytes of log per owner and move (medians of the rounds), largest first by the
    server's merge, and their total (of the exact bytes, so the rounded rows may not add up)."""

    def mb(timed: list[TimedMove], owner: str | None) -> float:
        return (
            statistics.median(sum(m.log.values()) if owner is None else m.log.get(owner, 0) for m in timed)
            / 1e6
        )

    server_merge = moves[SERVER, "mergeSources"]
    owners = sorted(
        {o for timed in moves.values() for m in timed for o in m.log}, key=lambda o: (-mb(server_merge, o), o)
    )
    lines = ["| log written by the move, MB | " + " | ".join(f"{k}, {n}" for n, k in moves) + " |"]
    lines.append("| --- |" + " ---: |" * len(moves))
    for owner in [*owners, None]:
        cells = [mb(timed, owner) for timed in moves.values()]
        lines.append(f"| {owner or 'total'} | " + " | ".join(f"{c:,.1f}" for c in cells) + " |")
    return lines


def main(argv: list[str] | None = None) -> None:
    args = arguments(__doc__, argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seeded = folder / "seeded.sqlite3"
        print(f"seeding {args.persons:,} persons …", flush=True)
        seed(seeded, args.persons)
        runs: dict[str, list[list[TimedMove]]] = {name: [] for name in VARIANTS}
        for round_ in range(args.rounds):
            for name in rotated(list(VARIANTS), round_):
                print(f"round {round_ + 1}: {name} …", flush=True)
                work = folder / "work.sqlite3"
                ids_kept, cache_kib = VARIANTS[name]
                runs[name].append(
                    both_moves(
                        seeded, work, integer_times=False, ids_kept=ids_kept, cache_kib=cache_kib, logged=True
                    )
                )
    print(report(runs, args.persons, args.rounds))


if __name__ == "__main__":
    main()
