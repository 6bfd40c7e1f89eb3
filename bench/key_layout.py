"""What integer keys would save a bulk move on SQLite: the same rows, another key layout.

    python bench/key_layout.py --persons 300000 --rounds 2

An experiment for the storage layout, not a benchmark with targets. It seeds one SQLite
database (`tributary seed`) and derives two copies of its accounts, users, sources, records and
history from it, with every column, foreign key and index of the migrated schema (not the
UNIQUE constraints and defaults, which a move does not touch), except that
companies, persons, deals, sources, users and accounts are keyed by an `INTEGER PRIMARY KEY`
(their UUID kept in a unique `uuid` column, as a public id would be) and every column referring
to one of them holds that integer; the second copy also stores its times as integer
microseconds instead of 32-character text. On fresh copies of each, variants alternating, it
runs the benchmark's two moves (a merge of the most-used source into the third, then a delete
of that one with the second as replacement) as the statements the server runs on SQLite
(`resolvers/history.py`: per table the history entries, the move, the first sources that
follow; then the delete), in one transaction each, with the page cache the server gave that
kind of move (below, `both_moves`) and, as the server's writer, no checkpoint at commit (the
checkpoint its checkpointer runs after the answer is timed on its own and not counted). These
are the statements alone, without the server around them. History entries keep `record_id`
unique only with their `record_kind` once keys are integers per table; the moves do not care.
"""

from __future__ import annotations

import os
import sqlite3
import struct
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.experiments import (  # noqa: E402
    MOVE_COLUMNS,
    RECORD_TABLES,
    Move,
    arguments,
    clear,
    fresh_copy,
    move_cells,
    rotated,
    seed,
    title,
)

KEYED = ("account", "app_user", "source", "company", "person", "deal")  # in the order they load
COPIED = (*KEYED, "source_change")
# history columns that name a keyed row without a foreign key
LOOSE = {("source_change", "from_source_id"): ("source",), ("source_change", "to_source_id"): ("source",),
         ("source_change", "record_id"): tuple(RECORD_TABLES)}  # fmt: skip
Key = int | str  # a row's key: an integer, or UUID text as migrated
MOVED_AT: dict[bool, int | str] = {False: "2027-01-01 00:00:00.000000+00:00", True: 1_798_761_600_000_000}
Phases = dict[str, float]  # seconds per phase of one move
# SQLite's page cache (KiB) the server gave every bulk move until 4bab3e7, which runs them in
# the connection's default cache (about 2 MB)
OLD_BULK_CACHE_KIB = 1024 * 1024
# the owner `log_by_owner` gives pages the database did not have before the move
NEW_PAGES = "new pages"
# the checkpoint the server runs after answering: not part of the move's time
AFTER_ANSWER = "checkpoint (after the answer)"
PHASES = ("history entries", "records moved", "first sources that follow", "sources retired or deleted",
          "commit", AFTER_ANSWER)  # fmt: skip


@dataclass(frozen=True)
class TimedMove:
    phases: Phases
    moved: int  # records that changed source
    log: dict[str, int] = field(default_factory=dict)  # with `logged`: bytes of log per owner

    @property
    def answered(self) -> Move:
        """(seconds until the server would answer, records moved)."""
        return sum(s for phase, s in self.phases.items() if phase != AFTER_ANSWER), self.moved


def microseconds(column: str) -> str:
    """'2024-12-02 04:26:58.056949+00:00' as integer microseconds (NULL stays NULL). Tortoise
    writes UTC times so, with six fraction digits; a time without them ('…:58+00:00') would read
    its fraction from '00:00', 0, by luck."""
    return (
        f"(CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER) * 1000000"
        f" + CAST(substr({column}, 21, 6) AS INTEGER))"
    )


def integer_copy(seeded: Path, target: Path, *, integer_times: bool) -> None:
    """`target`: the rows of `seeded` with integer keys (and integer times), same indexes."""
    clear(target)
    db = sqlite3.connect(target, isolation_level=None)
    db.execute("PRAGMA page_size = 16384")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("ATTACH DATABASE ? AS seeded", [str(seeded)])
    db.execute("BEGIN")
    for table in COPIED:
        columns, values = [], []
        references = {
            row[3]: (row[2], row[6]) for row in db.execute(f'PRAGMA seeded.foreign_key_list("{table}")')
        }
        if table in KEYED:
            columns += ['"id" INTEGER PRIMARY KEY', '"uuid" TEXT NOT NULL UNIQUE']
            values += ["NULL", "r.id"]
        for _, name, declared, notnull, _, _ in db.execute(f'PRAGMA seeded.table_info("{table}")'):
            if name == "id":
                if table not in KEYED:
                    columns.append('"id" INTEGER PRIMARY KEY AUTOINCREMENT')
                    values.append("r.id")
                continue
            kind, value = declared, f'r."{name}"'
            if name in references:
                parent, on_delete = references[name]
                kind = f'INTEGER REFERENCES "{parent}" ("id") ON DELETE {on_delete}'
                value = f'(SELECT k.id FROM "{parent}" k WHERE k.uuid = r."{name}")'
            elif (table, name) in LOOSE:
                kind = "INTEGER"
                lookups = [
                    f'(SELECT k.id FROM "{p}" k WHERE k.uuid = r."{name}")' for p in LOOSE[table, name]
                ]
                value = lookups[0] if len(lookups) == 1 else f"COALESCE({', '.join(lookups)})"
            elif declared == "TIMESTAMP" and integer_times:
                kind, value = "INTEGER", microseconds(f'r."{name}"')
            columns.append(f'"{name}" {kind}{" NOT NULL" if notnull else ""}')
            values.append(value)
        db.execute(f'CREATE TABLE "{table}" ({", ".join(columns)})')
        db.execute(
            f'INSERT INTO "{table}" SELECT {", ".join(values)} FROM seeded."{table}" r ORDER BY r.rowid'
        )
    indexes = db.execute(
        "SELECT sql FROM seeded.sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN "
        f"({', '.join('?' * len(COPIED))})",
        COPIED,
    ).fetchall()
    for (sql,) in indexes:
        db.execute(sql)
    db.execute("COMMIT")
    db.execute("DETACH DATABASE seeded")
    db.execute("ANALYZE")  # as `tributary seed` leaves the seeded file
    db.close()


def move(
    db: sqlite3.Connection,
    sources: list[Key],
    into: Key,
    reason: str,
    at: int | str,
    phases: Phases,
    *,
    ids_kept: bool = False,
) -> int:
    """One move as the server writes it on SQLite; how many records changed source. Adds the
    seconds of each kind of statement to `phases` (PHASES).

    `ids_kept`: the move as the server writes it since it keeps the records' source ids
    (`sources` stay behind as aliases of `into`, which every read resolves: resolvers/aliases.py):
    the history entries, of the records only `updated_at` (its one index), and the sources
    retired. Without it, the move as the server wrote it before: every record's source (and
    first source) rewritten, the sources deleted."""
    account, by = db.execute("SELECT account_id, owner_id FROM person LIMIT 1").fetchone()
    (name,) = db.execute("SELECT name FROM source WHERE id = ?", [into]).fetchone()
    among = ", ".join("?" * len(sources))

    def timed(phase: str, sql: str, params: list[Key]) -> sqlite3.Cursor:
        started = time.perf_counter()
        cursor = db.execute(sql, params)
        phases[phase] = phases.get(phase, 0.0) + time.perf_counter() - started
        return cursor

    moved = 0
    for table, kind in RECORD_TABLES.items():
        entries = timed(
            "history entries",
            "INSERT INTO source_change (account_id, record_kind, record_id, at, reason, by_id, "
            "from_source_id, from_name, to_source_id, to_name) "
            f"SELECT ?, '{kind}', r.id, ?, '{reason}', ?, r.source_id, s.name, ?, ? "
            f'FROM "{table}" r LEFT JOIN source s ON s.id = r.source_id '
            f"WHERE r.account_id = ? AND r.source_id IN ({among})",
            [account, at, by, into, name, account, *sources],
        )
        moved += entries.rowcount
        if ids_kept:
            timed(
                "records moved",
                f'UPDATE "{table}" AS r SET updated_at = ? '
                f"WHERE r.account_id = ? AND r.source_id IN ({among})",
                [at, account, *sources],
            )
            timed(
                "first sources that follow",
                f'UPDATE "{table}" AS r SET updated_at = ? WHERE r.account_id = ? AND r.first_source_id '
                f"IN ({among}) AND (r.source_id IS NULL OR NOT (r.source_id IN ({among})))",
                [at, account, *sources, *sources],
            )
            continue
        timed(
            "records moved",
            f'UPDATE "{table}" AS r SET source_id = ?, updated_at = ?, first_source_id = '
            f"CASE WHEN r.first_source_id IN ({among}) THEN ? ELSE r.first_source_id END "
            f"WHERE r.account_id = ? AND r.source_id IN ({among})",
            [into, at, *sources, into, account, *sources],
        )
        timed(
            "first sources that follow",
            f'UPDATE "{table}" AS r SET first_source_id = ?, updated_at = ? '
            f"WHERE r.account_id = ? AND r.first_source_id IN ({among})",
            [into, at, account, *sources],
        )
    if ids_kept:
        timed(
            "sources retired or deleted",
            f"UPDATE source SET retired_at = ?, merged_into_id = ?, name_key = char(31) || id "
            f"WHERE id IN ({among})",
            [at, into, *sources],
        )
    else:
        timed("sources retired or deleted", f"DELETE FROM source WHERE id IN ({among})", sources)
    return moved


def both_moves(
    built: Path,
    work: Path,
    *,
    integer_times: bool,
    ids_kept: bool = False,
    cache_kib: int | None = OLD_BULK_CACHE_KIB,
    logged: bool = False,
) -> list[TimedMove]:
    """The merge and the delete, timed by phase, on a fresh copy of `built`. As in the server
    (models/checkpoints.py), a commit does not checkpoint: after each move, the PASSIVE
    checkpoint the server's checkpointer runs once the move is answered (its own phase).
    `ids_kept`: as `move` says; the delete then moves the records still on the merged source
    too, as the aliased design would, so both variants move the same records. `cache_kib`:
    SQLite's page cache during each move (None: the connection's default, as the server runs
    moves since 4bab3e7; before, every bulk move had OLD_BULK_CACHE_KIB). `logged`: each move
    also reports the log it wrote, by owner (`log_by_owner`; the owners are read with SQLite's
    `dbstat` before the move, outside its time)."""
    fresh_copy(built, work)
    db = sqlite3.connect(work, isolation_level=None)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA journal_size_limit = 16384")  # Tortoise's
    db.execute("PRAGMA wal_autocheckpoint = 0")  # the server's writer
    by_use = [
        source
        for (source,) in db.execute(
            "SELECT source_id FROM person WHERE source_id IS NOT NULL "
            "GROUP BY source_id ORDER BY COUNT(*) DESC"
        )
    ]
    first, second, third = by_use[:3]
    measured = []
    (normal,) = db.execute("PRAGMA cache_size").fetchone()
    deleted = [third, first] if ids_kept else [third]
    for sources, into, reason in (([first], third, "MERGED"), (deleted, second, "REPLACED")):
        owners = page_owners(db) if logged else {}
        if cache_kib is not None:
            db.execute(f"PRAGMA cache_size = -{cache_kib}")
        phases: Phases = {}
        db.execute("BEGIN IMMEDIATE")
        moved = move(db, sources, into, reason, MOVED_AT[integer_times], phases, ids_kept=ids_kept)
        started = time.perf_counter()
        db.execute("COMMIT")
        committed = time.perf_counter()
        phases["commit"] = committed - started
        log = log_by_owner(db, Path(f"{work}-wal"), owners) if logged else {}
        db.execute(f"PRAGMA cache_size = {normal}")
        started = time.perf_counter()
        db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        phases[AFTER_ANSWER] = time.perf_counter() - started
        measured.append(TimedMove(phases, moved, log))
    db.close()
    return measured


def page_owners(db: sqlite3.Connection) -> dict[int, str]:
    """The table or index each page of the database belongs to (SQLite's `dbstat`)."""
    return dict(db.execute("SELECT pageno, name FROM dbstat"))


def log_by_owner(db: sqlite3.Connection, wal: Path, owners: dict[int, str]) -> dict[str, int]:
    """Bytes of the valid frames of the write-ahead log `wal` per table or index their page
    belonged to before the move (NEW_PAGES: pages the move added). A frame is a 24-byte header
    (its page number first, the log's two salts at 8..16) and a page; frames left from before
    the log last restarted carry other salts and do not count. SQLite writes a page spilled
    again within one transaction over its frame, so this is the transaction's pages, once each."""
    (page_size,) = db.execute("PRAGMA page_size").fetchone()
    data = wal.read_bytes()
    salts = data[16:24]
    written: Counter[str] = Counter()
    for offset in range(32, len(data) - 24 - page_size + 1, 24 + page_size):
        if data[offset + 8 : offset + 16] != salts:
            break
        (page,) = struct.unpack(">I", data[offset : offset + 4])
        written[owners.get(page, NEW_PAGES)] += page_size
    return dict(written)


def report(
    results: dict[str, list[list[TimedMove]]], sizes: dict[str, int], persons: int, rounds: int
) -> str:
    """`results`: per layout, per round, [the merge, the delete]."""
    lines = [
        title("Key layout", persons, rounds),
        "",
        f"| layout | file | {MOVE_COLUMNS} |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, runs in results.items():
        merge, delete = [run[0].answered for run in runs], [run[1].answered for run in runs]
        lines.append(f"| {name} | {sizes[name] / 1e6:,.0f} MB | {move_cells(merge)} | {move_cells(delete)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = arguments(__doc__, argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seeded = folder / "seeded.sqlite3"
        print(f"seeding {args.persons:,} persons …", flush=True)
        seed(seeded, args.persons)
        layouts: dict[str, tuple[Path, bool]] = {
            "UUID text keys (as migrated)": (seeded, False),
            "integer keys": (folder / "integer.sqlite3", False),
            "integer keys and times": (folder / "integer_times.sqlite3", True),
        }
        print("deriving the integer layouts …", flush=True)
        for built, integer_times in list(layouts.values())[1:]:
            integer_copy(seeded, built, integer_times=integer_times)
        results: dict[str, list[list[TimedMove]]] = {name: [] for name in layouts}
        for round_ in range(args.rounds):
            for name in rotated(list(layouts), round_):
                built, integer_times = layouts[name]
                print(f"round {round_ + 1}: {name} …", flush=True)
                results[name].append(both_moves(built, folder / "work.sqlite3", integer_times=integer_times))
        sizes = {name: os.path.getsize(built) for name, (built, _) in layouts.items()}
    print(report(results, sizes, args.persons, args.rounds))


if __name__ == "__main__":
    main()
