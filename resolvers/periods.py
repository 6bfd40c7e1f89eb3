"""Calendar periods in a time zone: the days, ISO weeks, months, quarters and years of a range.

- A period runs from the first instant of its local calendar unit to the first instant of the
  next one, whatever the clocks do in between: a day is 23 or 25 hours long when they change,
  and a day whose midnight falls into a gap (clocks jumping over 00:00) starts when the gap ends.
- Weeks are ISO weeks (Monday to Sunday), labelled by their ISO year: 2026-12-31 is in 2026-W53,
  2027-01-04 in 2027-W01. Labels: 2026-03-14, 2026-W11, 2026-03, 2026-Q1, 2026.
- Every period that overlaps [created_from, created_to) is listed, in order, clipped to the range,
  and at most MAX_PERIODS of them. Boundaries are computed here, once, in Python; the
  statistics group by them in SQL (resolvers/stats.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from resolvers.errors import BadUserInput
from resolvers.times import utc

MAX_PERIODS = 400
TIME_ZONE_MAX = 64  # characters; the longest IANA name has 32
# names zoneinfo accepts that are not a place's rules: the server's own setting
NOT_ZONES = frozenset({"localtime", "posixrules"})
EARLIEST = datetime.min.replace(tzinfo=UTC)


class Interval(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    QUARTER = "QUARTER"
    YEAR = "YEAR"


@dataclass(frozen=True)
class Period:
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive
    label: str


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones()) - NOT_ZONES


def time_zone(name: str) -> ZoneInfo:
    """An IANA time zone by its exact name ("Europe/Warsaw", "UTC"); BAD_USER_INPUT otherwise."""
    if len(name) > TIME_ZONE_MAX or name not in _known_zones():
        raise BadUserInput(
            f"{name[:TIME_ZONE_MAX]!r} is not an IANA time zone name such as Europe/Warsaw or UTC",
            field="timeZone",
        )
    return ZoneInfo(name)


def calendar_periods(
    interval: Interval, created_from: datetime, created_to: datetime, zone: ZoneInfo
) -> list[Period]:
    """The periods of `interval` in `zone` that overlap [created_from, created_to), clipped to it."""
    start, end = utc(created_from), utc(created_to)
    if end <= start:
        raise BadUserInput("createdTo must be later than createdFrom", field="createdTo")
    periods: list[Period] = []
    for unit, next_unit in _units(interval, _local_date(start, zone)):
        unit_start = _day_start(unit, zone)
        unit_end = _day_start(next_unit, zone) if next_unit else None
        if unit_start >= end:
            break
        if len(periods) == MAX_PERIODS:
            raise BadUserInput(
                f"the range holds more than {MAX_PERIODS} periods of {interval.value}: shorten it or "
                "take a longer interval",
                field="createdTo",
            )
        periods.append(Period(max(unit_start, start), min(unit_end or end, end), _label(interval, unit)))
        if unit_end is None:
            break
    return periods


def _local_date(instant: datetime, zone: ZoneInfo) -> date:
    try:
        return instant.astimezone(zone).date()
    except OverflowError:  # an instant at the very edge of the calendar
        raise BadUserInput(
            "createdFrom is outside the calendar in this time zone", field="createdFrom"
        ) from None


def _units(interval: Interval, first_day: date) -> Iterator[tuple[date, date | None]]:
    """(first day of a unit, first day of the next) from the unit holding `first_day` on; the
    next is None once it would leave the calendar (after 9999-12-31)."""
    unit = _unit_start(interval, first_day)
    while True:
        following = _next_unit(interval, unit)
        yield unit, following
        if following is None:
            return
        unit = following


def _unit_start(interval: Interval, day: date) -> date:
    if interval is Interval.DAY:
        return day
    if interval is Interval.WEEK:
        return day - timedelta(days=day.weekday())
    if interval is Interval.MONTH:
        return day.replace(day=1)
    if interval is Interval.QUARTER:
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, 1, 1)


def _next_unit(interval: Interval, unit: date) -> date | None:
    try:
        if interval is Interval.DAY:
            return unit + timedelta(days=1)
        if interval is Interval.WEEK:
            return unit + timedelta(days=7)
        if interval is Interval.YEAR:
            return date(unit.year + 1, 1, 1)
        months = 1 if interval is Interval.MONTH else 3
        index = unit.year * 12 + unit.month - 1 + months
        return date(index // 12, index % 12 + 1, 1)
    except (OverflowError, ValueError):  # past 9999-12-31
        return None


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    """The first instant (UTC) of `day` in `zone`: its midnight, or the end of a gap over midnight."""
    midnight = datetime.combine(day, time(), tzinfo=zone)  # fold=0: the first of two midnights
    try:
        instant = midnight.astimezone(UTC)
    except OverflowError:  # before 0001-01-01 in UTC: earlier than any range
        return EARLIEST
    if instant.astimezone(zone).replace(tzinfo=None) == midnight.replace(tzinfo=None):
        return instant
    # no such midnight: the day starts when the gap ends, between the two readings of midnight
    before, after = sorted((midnight.replace(fold=1).astimezone(UTC), instant))
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        before, after = (before, middle) if middle.astimezone(zone).date() >= day else (middle, after)
    return after.replace(microsecond=0)  # clocks change on whole seconds


def _label(interval: Interval, unit: date) -> str:
    if interval is Interval.DAY:
        return unit.isoformat()
    if interval is Interval.WEEK:
        year, week, _ = unit.isocalendar()
        return f"{year}-W{week:02d}"
    if interval is Interval.MONTH:
        return f"{unit.year}-{unit.month:02d}"
    if interval is Interval.QUARTER:
        return f"{unit.year}-Q{(unit.month - 1) // 3 + 1}"
    return str(unit.year)
