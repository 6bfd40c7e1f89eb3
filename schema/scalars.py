"""Conversions at the GraphQL edge that every domain needs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from strawberry.types.scalar import ScalarDefinition

from resolvers.times import parse_instant


def parse_datetime(value: object) -> datetime:
    """ISO-8601 in, the same instant in UTC out; a client's typo gets a sentence, not a parser's internals."""
    if isinstance(value, str):
        try:
            return parse_instant(value)
        except ValueError:
            pass
    raise ValueError("DateTime expects an ISO-8601 string such as 2026-01-31T09:30:00Z")


# replaces Strawberry's DateTime: same name and serialisation, a clean error, any offset means
# the same instant (moved to UTC here), no offset means UTC
DateTimeScalar = ScalarDefinition(
    name="DateTime",
    description="An ISO-8601 date-time; answers are in UTC, inputs with any offset mean that instant, "
    "inputs without an offset are taken as UTC.",
    specified_by_url=None,
    serialize=lambda value: value.isoformat(),
    parse_value=parse_datetime,
    parse_literal=None,
    origin=datetime,
)


def parse_decimal(value: object) -> Decimal:
    """A string (or a JSON number) as a Decimal. Raising ValueError, not Strawberry's own error,
    lets GraphQL point at the literal, so `extensions.field` can name the input field."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            pass
    raise ValueError('Decimal expects a number in a string such as "1250.00"')


# replaces Strawberry's Decimal: same name, description and serialisation, a locatable error
DecimalScalar = ScalarDefinition(
    name="Decimal",
    description="Decimal (fixed-point)",
    specified_by_url=None,
    serialize=str,
    parse_value=parse_decimal,
    parse_literal=None,
    origin=Decimal,
)
