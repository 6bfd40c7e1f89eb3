"""`GET /stats/sources.csv` and `GET /stats/sources-trend.csv`: the statistics rows for BI tools,
with the arguments of `sourceStats` / `sourceTrend` as query parameters.

The columns are one table: a header and how to read its cell from a resolvers' `StatsRow`; the
trend puts `period_start,period` before them. Every CSV answer goes through `csv_text`
(formula-safe cells) and `csv_response` (a download), within the request's time budget.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import TypeVar

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from models import Account
from resolvers import stats
from resolvers.errors import DomainError
from schema.scalars import parse_datetime
from web.auth import signed_in_user
from web.fair_use import TimedOut, fair_turn, within_budget

T = TypeVar("T")


def _blank_if_none(value: object) -> object:
    return "" if value is None else value


COLUMNS: list[tuple[str, Callable[[stats.StatsRow], object]]] = [
    ("source_id", lambda r: r.source.id if r.source else ""),
    ("source", lambda r: r.label),
    ("count", lambda r: r.count),
    ("persons", lambda r: r.persons),
    ("companies", lambda r: r.companies),
    ("share", lambda r: r.share),
    ("deals", lambda r: r.deals.count),
    ("deal_value", lambda r: r.deals.total_value),
    ("won_deals", lambda r: r.deals.won),
    ("won_value", lambda r: r.deals.won_value),
    ("average_deal_value", lambda r: _blank_if_none(r.deals.average_value)),
    ("win_rate", lambda r: _blank_if_none(r.deals.win_rate)),
]


class BadParameter(ValueError):
    pass


# a spreadsheet runs a cell that starts with one of these as a formula (OWASP: CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading `'`; numbers stay."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """A header and rows as CSV (CRLF lines), every text cell formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return out.getvalue()


def csv_response(text: str, *, filename: str) -> Response:
    """A CSV download: browsers and BI tools save it as `filename` instead of showing it."""
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


TREND_COLUMNS = ("period_start", "period")  # then COLUMNS


def stats_csv(rows: list[stats.StatsRow]) -> str:
    return csv_text((name for name, _ in COLUMNS), ([cell(row) for _, cell in COLUMNS] for row in rows))


def trend_csv(periods: list[stats.TrendPeriod]) -> str:
    """One line per row of each period, periods in order; the period's start (UTC) and label first."""
    return csv_text(
        [*TREND_COLUMNS, *(name for name, _ in COLUMNS)],
        (
            [p.period.start.isoformat(), p.period.label, *(cell(row) for _, cell in COLUMNS)]
            for p in periods
            for row in p.rows
        ),
    )


def stats_arguments(params: QueryParams) -> tuple[stats.ContactKind, stats.StatsFilter]:
    try:
        kind = stats.ContactKind(params.get("contactKind", "ALL"))
    except ValueError:
        raise BadParameter("contactKind must be PERSONS, COMPANIES or ALL") from None
    try:
        attribution = stats.Attribution(params.get("attribution", "CURRENT"))
    except ValueError:
        raise BadParameter("attribution must be CURRENT or FIRST_TOUCH") from None
    user_ids = None
    if "userIds" in params:
        user_ids = [u.strip() for u in params["userIds"].split(",") if u.strip()]
    return kind, stats.StatsFilter(
        user_ids=user_ids,
        created_from=_datetime_param(params.get("createdFrom"), "createdFrom"),
        created_to=_datetime_param(params.get("createdTo"), "createdTo"),
        attribution=attribution,
    )


def trend_arguments(params: QueryParams) -> tuple[stats.Interval, str]:
    """The trend's own parameters; createdFrom and createdTo are required too."""
    for required in ("interval", "createdFrom", "createdTo"):
        if required not in params:
            raise BadParameter(f"{required} is required")
    try:
        interval = stats.Interval(params["interval"])
    except ValueError:
        raise BadParameter("interval must be DAY, WEEK, MONTH, QUARTER or YEAR") from None
    return interval, params.get("timeZone", "UTC")


def _datetime_param(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        raise BadParameter(f"{name} must be an ISO-8601 date-time") from None


async def sources_csv(request: Request) -> Response:
    """The sourceStats rows as CSV: same filters, same rows, same order as GraphQL."""

    def work(account: Account) -> Awaitable[str]:
        kind, where = stats_arguments(request.query_params)
        return _rendered(stats.source_stats(account=account, kind=kind, where=where), stats_csv)

    return await _download(request, work, filename="sources.csv")


async def sources_trend_csv(request: Request) -> Response:
    """The sourceTrend periods as CSV: each period's rows as sourceStats rows, in order."""

    def work(account: Account) -> Awaitable[str]:
        kind, where = stats_arguments(request.query_params)
        interval, zone = trend_arguments(request.query_params)
        periods = stats.source_trend(account=account, kind=kind, where=where, interval=interval, zone=zone)
        return _rendered(periods, trend_csv)

    return await _download(request, work, filename="sources-trend.csv")


async def _rendered(rows: Awaitable[T], render: Callable[[T], str]) -> str:
    return render(await rows)


async def _download(
    request: Request, work: Callable[[Account], Awaitable[str]], *, filename: str
) -> Response:
    """A signed-in CSV download within the request's time budget; bad parameters get HTTP 400
    with a one-line reason, a spent budget 504."""
    user = signed_in_user(request)
    if user is None:
        return PlainTextResponse(
            "a valid bearer token is required\n", status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )
    seconds: float = request.app.state.settings.request_timeout
    try:
        turn = fair_turn(request, work(user.account), account_id=str(user.account_id), reads_only=True)
        text = await within_budget(turn, receive=request.receive, seconds=seconds)
    except BadParameter as e:
        return PlainTextResponse(f"{e}\n", status_code=400)
    except DomainError as e:
        return PlainTextResponse(f"{e.message}\n", status_code=400)
    except TimedOut:
        return PlainTextResponse(
            f"the export took longer than {seconds:g} s and was stopped\n", status_code=504
        )
    return csv_response(text, filename=filename)
