"""The benchmark runs end to end at a tiny size, so it cannot rot between full runs.

Only that every figure is produced is checked here: timings are never asserted in unit tests.
On PostgreSQL it runs beside PostGraphile too (`--peer postgraphile`, installed by the bench
with npm), which also checks that both answer the same rows.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

BENCH = Path(__file__).parent.parent / "bench" / "run.py"

EXPECTED = [
    "seed (create-account + seed)",
    "sourceStats(ALL)",
    "sourceStats(PERSONS, 3 owners)",
    "GET /stats/sources.csv",
    "sourceTrend: a year by month over all contacts",
    "sourceStats(ALL, FIRST_TOUCH)",
    "sourceStats(PERSONS, 3 owners, FIRST_TOUCH)",
    "200 persons with source, company { source owner }, owner",
    "SQL statements per nested page",
    "another account's { sources } p99, 20 attackers",
    "mergeSources: the most-used source into another",
    "deleteSource with replaceWith: the merged source",
    "server peak memory (VmHWM)",
]
UNDER_LOAD = [
    "ceiling: bare Starlette",
    "ceiling: bare Strawberry { hello }, parser and validation caches",
    "GET /healthz",
    "{ me { id } } vs bare cached Strawberry",
    "{ me { id } } vs /healthz",
]
BESIDE_POSTGRAPHILE = [
    "{ me { id } } vs { query { __typename } }",
    "newest 50 persons with source, company, owner names",
    "the page after row 2,000",
    "persons per source (sourceStats(PERSONS) { label count })",
    "all statistics",
    "createPerson with a source",
]
TWO_WORKERS = "newest 50 persons: two workers vs one"


def test_benchmark_runs_end_to_end_and_reports_every_figure(
    database_url: str, on_postgres: bool, tmp_path: Path
) -> None:
    # given: wrk is there, or the bench may install it (scripts/test does, as root)
    if not shutil.which("wrk") and os.geteuid() != 0:
        pytest.skip("wrk is missing (apt-get install wrk)")
    peer = ["--peer", "postgraphile"] if on_postgres and shutil.which("npm") else []
    # when
    done = subprocess.run(
        [sys.executable, str(BENCH), "--persons", "3000", "--rounds", "1", "--seconds", "1",
         "--load-rounds", "1", "--database-url", database_url, "--results", str(tmp_path), *peer],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    # then
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((tmp_path / "latest.json").read_text())
    figures = {f["name"]: f for f in report["figures"]}
    load = UNDER_LOAD + (BESIDE_POSTGRAPHILE if peer else []) + ([TWO_WORKERS] if on_postgres else [])
    after_load = EXPECTED.index("another account's { sources } p99, 20 attackers")
    assert list(figures) == EXPECTED[:after_load] + load + EXPECTED[after_load:]
    assert all(figures[name]["p99_ms"] >= figures[name]["p50_ms"] > 0 for name in load)
    assert all(math.isfinite(f["value"]) and f["value"] > 0 for f in figures.values())
    assert report["size"]["persons"] == 3000
    assert "| sourceStats(ALL) |" in (tmp_path / "latest.md").read_text()


EXPERIMENTS = Path(__file__).parent.parent / "bench"


def experiment_rows(script: str) -> dict[str, str]:
    """A tiny run of one of bench/'s SQLite experiments: its table's rows by their first cell."""
    done = subprocess.run(
        [sys.executable, str(EXPERIMENTS / script), "--persons", "600", "--rounds", "1"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return {line.split(" | ")[0].removeprefix("| "): line for line in done.stdout.splitlines()}


def assert_same_moves(rows: dict[str, str], names: list[str]) -> None:
    """Each named row has both moves, and they moved as many records (> 0) as the first row's."""
    assert all(name in rows for name in names), rows
    # "3.88 s (129,081)": the records a move moved
    moved = {
        name: [int(n.replace(",", "")) for n in re.findall(r"s \(([\d,]+)\)", rows[name])] for name in names
    }
    first = moved[names[0]]
    assert len(first) == 2, rows
    assert min(first) > 0, rows
    assert all(moved[name] == first for name in names), moved


def test_the_index_cost_experiment_moves_the_same_records_in_every_variant(on_postgres: bool) -> None:
    # given: the experiment drops indexes on copies of one SQLite file
    if on_postgres:
        pytest.skip("bench/index_costs.py measures SQLite only")
    variants = ["as migrated", "without *_owner, *_first_owner", "without *_source_fk, *_first_source_fk",
                "without both"]  # fmt: skip
    # when
    rows = experiment_rows("index_costs.py")
    # then: a row per variant, each with both statistics and both moves of the same records
    assert_same_moves(rows, variants)
    stats_ms = {v: [float(ms) for ms in re.findall(r"([\d.]+) ms", rows[v])] for v in variants}
    assert all(len(ms) == 2 and min(ms) > 0 for ms in stats_ms.values()), stats_ms


def test_the_key_layout_experiment_moves_the_same_records_in_every_layout(on_postgres: bool) -> None:
    # given: the experiment derives integer-keyed copies of one SQLite file
    if on_postgres:
        pytest.skip("bench/key_layout.py measures SQLite only")
    layouts = ["UUID text keys (as migrated)", "integer keys", "integer keys and times"]
    # when
    rows = experiment_rows("key_layout.py")
    # then: the copies hold the same records on the same sources, so both moves move as many
    assert_same_moves(rows, layouts)


def test_the_move_phase_experiment_times_every_phase_and_the_log_of_both_moves(on_postgres: bool) -> None:
    # given: the experiment runs both moves on a seeded SQLite file
    if on_postgres:
        pytest.skip("bench/move_phases.py measures SQLite only")
    from bench.key_layout import PHASES
    from bench.move_phases import VARIANTS

    # when
    rows = experiment_rows("move_phases.py")
    # then: a row per phase and the time until the answer, each with the seconds of both moves
    # in every variant (as the server writes them, and as it wrote them before)
    columns = 2 * len(VARIANTS)
    timed = [*PHASES, "until the answer", "the same per 300,000 records"]
    assert all(len(re.findall(r"\| ([\d.]+) s", rows[phase])) == columns for phase in timed), rows
    moved = [int(n.replace(",", "")) for n in re.findall(r"\(([\d,]+) records\)", rows["phase"])]
    assert len(moved) == columns, rows["phase"]
    assert min(moved) > 0, rows["phase"]
    # the same records in every variant: the merge's, then the delete's
    assert all(moved[i : i + 2] == moved[:2] for i in range(0, columns, 2)), rows["phase"]

    # and what each move wrote to the log, by owner: every move rewrites persons (updatedAt)
    def megabytes(row: str) -> list[float]:
        return [float(mb.replace(",", "")) for mb in re.findall(r"\| ([\d.,]+)", rows[row])]

    assert len(megabytes("person")) == columns, rows["person"]
    assert min(megabytes("person")) > 0, rows["person"]
    assert all(t >= p for t, p in zip(megabytes("total"), megabytes("person"), strict=True)), rows["total"]


def test_the_log_breakdown_counts_each_page_of_the_last_transaction_once_by_its_table(tmp_path: Path) -> None:
    # given: a table and its index in a WAL database whose log holds nothing yet
    from bench.key_layout import NEW_PAGES, log_by_owner, page_owners

    path = tmp_path / "log.sqlite3"
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("PRAGMA page_size = 4096")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA wal_autocheckpoint = 0")
        db.execute("CREATE TABLE t (x INTEGER, pad TEXT)")
        db.execute("CREATE INDEX t_x ON t (x)")
        db.executemany("INSERT INTO t VALUES (?, ?)", [(i, "p" * 200) for i in range(2000)])
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        owners = page_owners(db)
        leaf_pages = "SELECT COUNT(*) FROM dbstat WHERE name = 't' AND pagetype = 'leaf'"
        (leaves,) = db.execute(leaf_pages).fetchone()
        wal = Path(f"{path}-wal")
        # when: one transaction rewrites every row twice, and another, after a checkpoint, one row
        db.execute("BEGIN")
        db.execute("UPDATE t SET x = x + 10000")
        db.execute("UPDATE t SET x = x - 10000")
        db.execute("COMMIT")
        every_row = log_by_owner(db, wal, owners)
        db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        db.execute("UPDATE t SET pad = 'q' WHERE rowid = 1")
        one_row = log_by_owner(db, wal, page_owners(db))
    # then: each leaf page of the table once, though every row was written twice (with its
    # index's pages, new ones and the header's); afterwards only the last transaction's page,
    # not the older frames still in the file
    assert every_row["t"] == leaves * 4096, every_row
    assert set(every_row) <= {"t", "t_x", NEW_PAGES, "sqlite_schema"}, every_row
    assert one_row == {"t": 4096}, one_row


def test_settling_the_log_copies_what_a_server_committed_into_the_database_file(tmp_path: Path) -> None:
    # given: rows committed to the log by a writer that runs no checkpoints and stays open
    from bench.run import settle_log

    path = tmp_path / "served.sqlite3"
    with closing(sqlite3.connect(path, isolation_level=None)) as writer:
        writer.execute("PRAGMA journal_mode = WAL")
        writer.execute("CREATE TABLE t (x INTEGER)")
        writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        writer.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(1000)])
        # when
        settle_log(f"sqlite://{path}")
        # then: the database file alone, without its log, holds them
        copy = tmp_path / "file-only.sqlite3"
        shutil.copy(path, copy)
        with closing(sqlite3.connect(copy)) as alone:
            assert alone.execute("SELECT COUNT(*) FROM t").fetchone() == (1000,)


def test_the_server_move_experiment_times_both_moves_through_a_real_server(on_postgres: bool) -> None:
    # given: the experiment serves fresh copies of a seeded SQLite file with this checkout
    if on_postgres:
        pytest.skip("bench/server_moves.py measures SQLite only")
    # when
    rows = experiment_rows("server_moves.py")
    # then: the round and the median, each with both moves, the records they moved and the
    # server's peak memory
    found = [line for name, line in rows.items() if name.startswith(("1, ", "median, "))]
    assert len(found) == 2, rows
    for line in found:
        moved = [int(n.replace(",", "")) for n in re.findall(r"s \(([\d,]+)\)", line)]
        assert len(moved) == 2, line
        assert min(moved) > 0, line
        assert re.search(r"\| \d+ MiB \|$", line), line


def test_the_integer_key_layout_holds_the_same_rows_references_and_indexes(
    on_postgres: bool, tmp_path: Path
) -> None:
    # given: a seeded file and its integer copy with integer times
    if on_postgres:
        pytest.skip("bench/key_layout.py derives SQLite files")
    from bench.experiments import seed
    from bench.key_layout import COPIED, integer_copy

    seeded, copy = tmp_path / "seeded.sqlite3", tmp_path / "integer.sqlite3"
    seed(seeded, 600)
    # when
    integer_copy(seeded, copy, integer_times=True)
    # then
    with closing(sqlite3.connect(seeded)) as before, closing(sqlite3.connect(copy)) as after:
        for table in COPIED:
            count = f'SELECT COUNT(*) FROM "{table}"'
            assert before.execute(count).fetchone() == after.execute(count).fetchone(), table
        indexes = (
            "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({', '.join('?' * len(COPIED))}) ORDER BY 2"
        )
        assert before.execute(indexes, COPIED).fetchall() == after.execute(indexes, COPIED).fetchall()
        assert after.execute("PRAGMA foreign_key_check").fetchall() == []
        kinds = "SELECT DISTINCT typeof(source_id), typeof(owner_id), typeof(created_at) FROM person"
        integers = {("integer", "integer", "integer"), ("null", "integer", "integer")}
        assert set(after.execute(kinds).fetchall()) <= integers
        # the same records on the same sources, and the same history, by the sources' UUIDs
        by_source = "SELECT {s}, COUNT(*) FROM person p {join} GROUP BY 1 ORDER BY 1"
        assert (
            before.execute(by_source.format(s="p.source_id", join="")).fetchall()
            == after.execute(
                by_source.format(s="s.uuid", join="LEFT JOIN source s ON s.id = p.source_id")
            ).fetchall()
        )
        history = (
            "SELECT COUNT(from_source_id), COUNT(to_source_id), COUNT(record_id), COUNT(by_id) "
            "FROM source_change"
        )
        assert before.execute(history).fetchone() == after.execute(history).fetchone()
        first = "SELECT {col} FROM person ORDER BY rowid LIMIT 1"
        (text,) = before.execute(first.format(col="created_at")).fetchone()
        (micros,) = after.execute(first.format(col="created_at")).fetchone()
        assert micros == round(datetime.fromisoformat(text).timestamp() * 1_000_000)


def test_the_index_cost_variants_drop_exactly_their_indexes(on_postgres: bool, tmp_path: Path) -> None:
    # given
    if on_postgres:
        pytest.skip("bench/index_costs.py drops indexes on SQLite files")
    from bench.experiments import seed
    from bench.index_costs import VARIANTS, copy_without

    seeded, copy = tmp_path / "seeded.sqlite3", tmp_path / "copy.sqlite3"
    seed(seeded, 60)
    indexes = "SELECT name FROM sqlite_master WHERE type = 'index'"
    with closing(sqlite3.connect(seeded)) as db:
        all_indexes = {n for (n,) in db.execute(indexes)}
    for suffixes in VARIANTS.values():
        # when
        copy_without(seeded, copy, suffixes)
        # then
        with closing(sqlite3.connect(copy)) as db:
            left = {n for (n,) in db.execute(indexes)}
        assert all_indexes - left == {f"{t}_{s}" for t in ("company", "person", "deal") for s in suffixes}
