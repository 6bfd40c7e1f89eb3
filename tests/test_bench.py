"""The benchmark runs end to end at a tiny size, so it cannot rot between full runs.

Only that every figure is produced is checked here: timings are never asserted in unit tests.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

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
    "{ me { id } }",
    "createPerson mutation",
    "another account's { sources } p99, 20 attackers",
    "mergeSources: the most-used source into another",
    "deleteSource with replaceWith: the merged source",
    "server peak memory (VmHWM)",
]


def test_benchmark_runs_end_to_end_and_reports_every_figure(database_url: str, tmp_path: Path) -> None:
    # when
    done = subprocess.run(
        [sys.executable, str(BENCH), "--persons", "3000", "--rounds", "1", "--seconds", "0.5",
         "--database-url", database_url, "--results", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    # then
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((tmp_path / "latest.json").read_text())
    figures = {f["name"]: f for f in report["figures"]}
    assert list(figures) == EXPECTED
    assert all(math.isfinite(f["value"]) and f["value"] > 0 for f in figures.values())
    assert report["size"]["persons"] == 3000
    assert "| sourceStats(ALL) |" in (tmp_path / "latest.md").read_text()
