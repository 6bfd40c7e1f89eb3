"""`search`: a case-insensitive substring of a record's names, for every script, on every backend.

Each searched column has a folded copy `<column>_folded` (text.search_key: NFKC + casefold),
written in the same statement as the column (records.py), by `tributary seed`, and for rows
that existed before by migration 0004. A search folds its needle the same way and matches it
with LIKE, `%` and `_` escaped: "öko" finds "Öko Bau", "JÜRGE" finds "Jürgen", "łódź" finds
"Łódź", "straße" finds "STRASSE", whatever the backend's own idea of case.
"""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q
from tortoise.models import Model

from models import Company, Deal, Person
from resolvers.text import search_key

SEARCHED: dict[type[Model], tuple[str, ...]] = {
    Company: ("name",),
    Person: ("first_name", "last_name", "email"),
    Deal: ("title",),
}


def folded_column(column: str) -> str:
    return f"{column}_folded"


def with_search_keys(model: type[Model], values: dict[str, Any]) -> dict[str, Any]:
    """`values` plus the folded copy of every searched column among them."""
    folded = {folded_column(c): search_key(values[c]) for c in SEARCHED.get(model, ()) if c in values}
    return {**values, **folded}


def search_q(model: type[Model], needle: str) -> Q:
    """Records with the needle in any searched column (Tortoise's `contains` escapes % and _)."""
    key = search_key(needle)
    return Q(*(Q(**{f"{folded_column(c)}__contains": key}) for c in SEARCHED[model]), join_type=Q.OR)
