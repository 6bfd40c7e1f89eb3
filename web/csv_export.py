"""`GET /stats/sources.csv`: the statistics rows for BI tools, with the filters as query parameters.

The columns are one table: a header and how to read its cell from a resolvers' `StatsRow`.
Every CSV answer goes through `csv_text` (formula-safe cells) and `csv_response` (a download).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import datetime

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from resolvers import stats
from resolvers.errors import DomainError
from schema.scalars import parse_datetime
from web.auth import signed_in_user
from web.fair_use import TimedOut, fair_turn, within_budget


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


def stats_csv(rows: list[stats.StatsRow]) -> str:
    return csv_text((name for name, _ in COLUMNS), ([cell(row) for _, cell in COLUMNS] for row in rows))


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


def _datetime_param(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        raise BadParameter(f"{name} must be an ISO-8601 date-time") from None


async def sources_csv(request: Request) -> Response:
    """The sourceStats rows as CSV: same filters, same rows, same order as GraphQL."""
    user = signed_in_user(request)
    if user is None:
        return PlainTextResponse(
            "a valid bearer token is required\n", status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )
    seconds: float = request.app.state.settings.request_timeout
    try:
        kind, where = stats_arguments(request.query_params)
        work = stats.source_stats(account=user.account, kind=kind, where=where)
        turn = fair_turn(request, work, account_id=str(user.account_id), reads_only=True)
        rows = await within_budget(turn, receive=request.receive, seconds=seconds)
    except BadParameter as e:
        return PlainTextResponse(f"{e}\n", status_code=400)
    except DomainError as e:
        return PlainTextResponse(f"{e.message}\n", status_code=400)
    except TimedOut:
        return PlainTextResponse(
            f"the export took longer than {seconds:g} s and was stopped\n", status_code=504
        )
    return csv_response(stats_csv(rows), filename="sources.csv")
