"""Where a bulk move's time goes on SQLite: its statements, its commit, the checkpoint after it.

    python bench/move_phases.py --persons 300000 --rounds 3

An experiment beside the benchmark, not a benchmark with targets. It seeds one SQLite database
(`tributary seed`) and, on a fresh copy per round, runs the benchmark's two moves (a merge of
the most-used source into the third, then a delete of that one with the second as
replacement) as the statements the server runs on SQLite, timed by kind of statement
(bench/key_layout.py `move`, on the migrated layout): the history entries, the records' new
sources, the first sources that follow, the deleted sources, the commit, and then the PASSIVE
checkpoint that the server's checkpointer runs after the move is answered
(models/checkpoints.py), which the server used to run inside the commit. Medians per phase.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.experiments import arguments, seed, title  # noqa: E402
from bench.key_layout import AFTER_ANSWER, PHASES, TimedMove, both_moves  # noqa: E402


def report(runs: list[list[TimedMove]], persons: int, rounds: int) -> str:
    """`runs`: per round, [the merge, the delete]."""
    merges, deletes = [run[0] for run in runs], [run[1] for run in runs]

    def cell(moves: list[TimedMove], phase: str | None) -> str:
        if phase is None:
            return f"{statistics.median(m.answered[0] for m in moves):.2f} s"
        return f"{statistics.median(m.phases.get(phase, 0.0) for m in moves):.2f} s"

    lines = [
        title("Move phases", persons, rounds),
        "",
        f"| phase | mergeSources ({merges[0].moved:,} records) | deleteSource with replaceWith "
        f"({deletes[0].moved:,} records) |",
        "| --- | ---: | ---: |",
    ]
    for phase in PHASES:
        if phase == AFTER_ANSWER:
            lines.append(f"| until the answer | {cell(merges, None)} | {cell(deletes, None)} |")
        lines.append(f"| {phase} | {cell(merges, phase)} | {cell(deletes, phase)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = arguments(__doc__, argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seeded = folder / "seeded.sqlite3"
        print(f"seeding {args.persons:,} persons …", flush=True)
        seed(seeded, args.persons)
        runs = []
        for round_ in range(args.rounds):
            print(f"round {round_ + 1} …", flush=True)
            runs.append(both_moves(seeded, folder / "work.sqlite3", integer_times=False))
    print(report(runs, args.persons, args.rounds))


if __name__ == "__main__":
    main()
