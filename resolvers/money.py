"""Deal values: Decimals at the edge, integer cents in the database so SQL sums are exact."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from resolvers.errors import BadUserInput

CENT = Decimal("0.01")
MAX_CENTS = 10**15  # ten trillion: far above any deal, far below BIGINT


def to_cents(value: Decimal, *, field: str = "value") -> int:
    try:
        if not value.is_finite():
            raise BadUserInput(f"{field} must be a number", field=field)
        if value < 0:
            raise BadUserInput(f"{field} must not be negative", field=field)
        if value != value.quantize(CENT):
            raise BadUserInput(f"{field} has at most two decimals", field=field)
        cents = int(value * 100)
    except InvalidOperation:
        raise BadUserInput(f"{field} is out of range", field=field) from None
    if cents >= MAX_CENTS:
        raise BadUserInput(f"{field} is out of range", field=field)
    return cents


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)
