"""`GET /stats/sources.csv`: the statistics rows for BI tools, with the filters as query parameters.

The columns are one table: a header and how to read its cell from a resolvers' `StatsRow`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
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


def stats_csv(rows: list[stats.StatsRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(name for name, _ in COLUMNS)
    writer.writerows([cell(row) for _, cell in COLUMNS] for row in rows)
    return out.getvalue()


def stats_arguments(params: QueryParams) -> tuple[stats.ContactKind, stats.StatsFilter]:
    try:
        kind = stats.ContactKind(params.get("contactKind", "ALL"))
    except ValueError:
        raise BadParameter("contactKind must be PERSONS, COMPANIES or ALL") from None
    user_ids = None
    if "userIds" in params:
        user_ids = [u.strip() for u in params["userIds"].split(",") if u.strip()]
    return kind, stats.StatsFilter(
        user_ids=user_ids,
        created_from=_datetime_param(params.get("createdFrom"), "createdFrom"),
        created_to=_datetime_param(params.get("createdTo"), "createdTo"),
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
    return Response(stats_csv(rows), media_type="text/csv; charset=utf-8")
