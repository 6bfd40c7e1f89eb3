"""What the statistics CSVs must hold, written once for /stats/sources.csv and its trend."""

from __future__ import annotations

import csv
import io
from typing import Any


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def csv_row_of(r: dict[str, Any]) -> dict[str, str]:
    """A sourceStats row (GraphQL, every field selected) as its CSV line, cell by cell."""
    return {
        "source_id": r["source"]["id"] if r["source"] else "",
        "source": r["label"],
        "count": str(r["count"]),
        "persons": str(r["persons"]),
        "companies": str(r["companies"]),
        "share": repr(r["share"]),
        "deals": str(r["deals"]["count"]),
        "deal_value": r["deals"]["totalValue"],
        "won_deals": str(r["deals"]["won"]),
        "won_value": r["deals"]["wonValue"],
        "average_deal_value": r["deals"]["averageValue"] or "",
        "win_rate": "" if r["deals"]["winRate"] is None else repr(r["deals"]["winRate"]),
    }
