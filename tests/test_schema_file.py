from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCHEMA_FILE = Path(__file__).parent.parent / "schema.graphql"


def test_committed_schema_graphql_matches_the_code() -> None:
    exported = subprocess.run(
        [sys.executable, "server.py", "export-schema"],
        cwd=SCHEMA_FILE.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert exported == SCHEMA_FILE.read_text(), (
        "schema.graphql is stale: run `tributary export-schema > schema.graphql` and review the diff"
    )
