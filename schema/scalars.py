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
    description='An ISO-8601 / RFC 3339 date-time string, e.g. "2026-03-14T09:30:00+00:00"; answers are '
    "in UTC, inputs with any offset mean that instant, inputs without an offset are taken as UTC.",
    specified_by_url="https://scalars.graphql.org/andimarek/date-time",
    serialize=lambda value: value.isoformat(),
    parse_value=parse_datetime,
    parse_literal=None,
    origin=datetime,
)


def parse_decimal(value: object) -> Decimal:
    """A money amount from a string ("1250.00") or a JSON number (read through its shortest repr).

    Raising ValueError, not Strawberry's own error, lets GraphQL point at the literal, so
    `extensions.field` can name the input field."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            pass
    raise ValueError('Decimal expects a string with at most two decimals such as "1250.00"')


# replaces Strawberry's Decimal: a description a code generator can use, and a locatable error
DecimalScalar = ScalarDefinition(
    name="Decimal",
    description='A money amount as a string with two decimals, e.g. "1250.00" (exact: never a float). '
    'Inputs take a string such as "1250" or "1250.5" (at most two decimals).',
    specified_by_url=None,
    serialize=lambda value: f"{value:.2f}",
    parse_value=parse_decimal,
    parse_literal=None,
    origin=Decimal,
)
