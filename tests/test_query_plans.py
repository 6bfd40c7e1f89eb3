"""The statistics and list queries are served by their indexes (EXPLAIN, on the real backend).

Plans are pinned here; timings live in bench/, never in tests.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from tortoise.models import Model
from tortoise.queryset import QuerySet, ValuesQuery
from tortoise.transactions import in_transaction

from models import Account, Company, Deal, Person, RecordKind, SourceChange, SourceChangeReason, SourceOrigin
from resolvers.filters import RecordFilter, filter_q
from resolvers.history import (
    HISTORY_DEFAULT,
    KEEP,
    FirstSource,
    Move,
    OfCompany,
    OneRecord,
    OnSources,
    move_statements,
    pages_statement,
)
from resolvers.history import NEWEST_FIRST as HISTORY_ORDER
from resolvers.locks import HeldSource
from resolvers.pagination import NEWEST_FIRST, PageRequest, encode_cursor, keyset_page
from resolvers.stats import Attribution, StatsFilter, contact_counts_query, deal_figures_query
from seeding.bulk import analyze, insert_rows
from seeding.synthetic import PERSON_COLUMNS
from tests.graphql import Caller

OWNER = "9b7b4f4e-7c43-4a35-a7ad-2a8d8bfbd6b5"
SINCE = datetime(2025, 1, 1, tzinfo=UTC)


async def plan(query: QuerySet | ValuesQuery, on_postgres: bool) -> str:  # type: ignore[type-arg]
    sql = query.sql(params_inline=True)
    async with in_transaction() as conn:
        if on_postgres:
            # tiny test tables: make the planner show which index it would use at scale
            await conn.execute_script("SET LOCAL enable_seqscan = off")
            rows = await conn.execute_query_dict(f"EXPLAIN {sql}")
            return "\n".join(r["QUERY PLAN"] for r in rows)
        rows = await conn.execute_query_dict(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(r["detail"] for r in rows)


def covered_by(index: str, on_postgres: bool) -> str:
    return f"Index Only Scan using {index} " if on_postgres else f"USING COVERING INDEX {index} "


@pytest.mark.parametrize(
    ("where", "suffixes"),
    [
        (StatsFilter(), ["by_source"]),
        # which of the two depends on the planner's statistics; both hold every column needed
        (StatsFilter(user_ids=[OWNER]), ["owner", "by_source"]),
        (StatsFilter(created_from=SINCE), ["by_source"]),
        # by first touch: the same, over the first source
        (StatsFilter(attribution=Attribution.FIRST_TOUCH), ["by_first_source"]),
        (StatsFilter(user_ids=[OWNER], attribution=Attribution.FIRST_TOUCH), ["by_first_source"]),
        (StatsFilter(created_from=SINCE, attribution=Attribution.FIRST_TOUCH), ["by_first_source"]),
    ],
)
async def test_statistics_read_only_covering_indexes(
    admin: Caller, on_postgres: bool, where: StatsFilter, suffixes: list[str]
) -> None:
    account = await Account.get(id=admin.account_id)
    column = where.source_column
    queries = {
        "person": contact_counts_query(Person, account, where.q(), column=column),
        "company": contact_counts_query(Company, account, where.q(), column=column),
        "deal": deal_figures_query(account, where.q(), column=column),
    }
    for table, query in queries.items():
        explained = await plan(query, on_postgres)
        covering = [covered_by(f"{table}_{suffix}", on_postgres) for suffix in suffixes]
        assert any(index in explained + " " for index in covering), explained
        assert "TEMP B-TREE" not in explained
        assert "Sort" not in explained


@pytest.mark.parametrize(
    ("request_", "bound"),
    [
        (PageRequest(first=50, after=encode_cursor(SINCE, OWNER)), ("created_at <= ", "created_at<?")),
        (PageRequest(last=50, before=encode_cursor(SINCE, OWNER)), ("created_at >= ", "created_at>?")),
    ],
    ids=["forward", "backward"],
)
async def test_a_page_from_a_cursor_seeks_in_the_page_index_without_sorting(
    admin: Caller, on_postgres: bool, request_: PageRequest, bound: tuple[str, str]
) -> None:
    account = await Account.get(id=admin.account_id)
    everything = filter_q(RecordFilter(), model=Person, company_field="company_id")
    query = keyset_page(Person.filter(everything, account=account), request=request_, ordering=NEWEST_FIRST)
    explained = await plan(query, on_postgres)
    assert "person_page" in explained
    # the cursor bounds the index range (a deep page costs what the first page costs)
    assert (bound[0] if on_postgres else bound[1]) in explained, explained
    assert "TEMP B-TREE" not in explained
    assert "Sort" not in explained


async def test_search_on_postgresql_reads_the_trigram_indexes(admin: Caller, on_postgres: bool) -> None:
    if not on_postgres:
        pytest.skip("SQLite has no index for LIKE '%…%': search reads the account's rows")
    # given: enough persons that the planner would rather not read them all (a tiny table it reads whole)
    account = await Account.get(id=admin.account_id)
    at = datetime(2026, 1, 1, tzinfo=UTC)

    def person(i: int) -> tuple[object, ...]:
        values = {"id": str(uuid.uuid4()), "account_id": admin.account_id, "first_name": f"Ada {i}",
                  "first_name_folded": f"ada {i}", "last_name": "", "last_name_folded": "", "email": None,
                  "email_folded": "", "company_id": None, "source_id": None, "owner_id": admin.user_id,
                  "created_at": at, "updated_at": at, "source_origin": None, "first_source_id": None,
                  "first_source_at": None}  # fmt: skip
        return tuple(values[c] for c in PERSON_COLUMNS)

    await insert_rows("person", PERSON_COLUMNS, [person(i) for i in range(100_000)])
    await analyze()
    rare = Person.filter(filter_q(RecordFilter(search="zqx"), model=Person, company_field="company_id"))
    # when
    explained = await plan(rare.filter(account=account).count(), on_postgres)
    # then
    for column in ("first_name", "last_name", "email"):
        assert f"person_{column}_trgm" in explained, explained


@pytest.mark.parametrize("table", ["company", "person", "deal"])
async def test_deleting_a_source_finds_its_records_through_an_index(
    admin: Caller, on_postgres: bool, table: str
) -> None:
    # what ON DELETE SET NULL runs for every deleted (or merged) source: without an index led
    # by source_id it would be a scan of the whole table per source
    model = {"company": Company, "person": Person, "deal": Deal}[table]
    explained = await plan(model.filter(source_id=OWNER).only("id"), on_postgres)
    if on_postgres:
        # on the tiny test tables (statistics left by earlier tests) PostgreSQL may pick another
        # index that holds source_id; what matters is that no table scan is planned
        assert f"{table}_source_fk" in explained or "Index Cond: (source_id = " in explained, explained
    else:
        assert f"{table}_source_fk" in explained, explained


@pytest.mark.parametrize(
    ("model", "column", "index"),
    [
        (Company, "first_source_id", "company_first_source_fk"),
        (Person, "first_source_id", "person_first_source_fk"),
        (Deal, "first_source_id", "deal_first_source_fk"),
        (SourceChange, "from_source_id", "source_change_from_fk"),
        (SourceChange, "to_source_id", "source_change_to_fk"),
    ],
)
async def test_deleting_a_source_finds_first_sources_and_history_entries_through_an_index(
    admin: Caller, on_postgres: bool, model: type[Model], column: str, index: str
) -> None:
    # ON DELETE SET NULL on first sources and on history entries, as for source_id above
    explained = await plan(model.filter(**{column: OWNER}).only("id"), on_postgres)
    if on_postgres:
        assert index in explained or f"Index Cond: ({column} = " in explained, explained
    else:
        assert index in explained, explained


async def test_a_records_history_page_seeks_in_the_history_index_without_sorting(
    admin: Caller, on_postgres: bool
) -> None:
    account = await Account.get(id=admin.account_id)
    entries = SourceChange.filter(account_id=account.id, record_kind=RecordKind.PERSON, record_id=OWNER)
    request = PageRequest(first=20, after=encode_cursor(SINCE, 7), default=HISTORY_DEFAULT)
    explained = await plan(keyset_page(entries, request=request, ordering=HISTORY_ORDER), on_postgres)
    assert "source_change_history" in explained, explained
    assert "TEMP B-TREE" not in explained
    assert "Sort" not in explained


async def test_the_histories_of_a_page_of_records_are_read_through_the_history_index(
    admin: Caller, on_postgres: bool
) -> None:
    account = await Account.get(id=admin.account_id)
    ids = [uuid.uuid4() for _ in range(50)]
    statement, params = pages_statement(Person, account=account, record_ids=ids, request=PageRequest(first=3))
    explained = await plan_sql(statement, params, on_postgres)
    assert "source_change_history" in explained, explained
    assert "Seq Scan" not in explained
    assert "SCAN source_change" not in explained


WEB = HeldSource(id=uuid.UUID(OWNER), name="Web", archived_at=None)
MOVES = {
    "merge": Move(SourceChangeReason.MERGED, OnSources([uuid.uuid4()]), WEB, KEEP, FirstSource.FOLLOW),
    "delete": Move(SourceChangeReason.DELETED, OnSources([uuid.uuid4()]), None, None, FirstSource.FOLLOW),
    "apply": Move(
        SourceChangeReason.APPLIED,
        OfCompany(uuid.uuid4(), True),
        WEB,
        SourceOrigin.INHERITED,
        FirstSource.ADOPT,
    ),
    "edit": Move(
        SourceChangeReason.EDITED, OneRecord(uuid.uuid4()), WEB, SourceOrigin.CHOSEN, FirstSource.ADOPT
    ),
}


@pytest.mark.parametrize("move", list(MOVES))
@pytest.mark.parametrize("model", [Person, Deal])
async def test_moves_find_their_records_through_indexes(
    admin: Caller, on_postgres: bool, move: str, model: type[Model]
) -> None:
    # a merge of a few records in a million must not read the million
    account = await Account.get(id=admin.account_id)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    statements = move_statements(model, account=account, move=MOVES[move], by=uuid.UUID(OWNER), now=now)
    table = model._meta.db_table
    for statement, params in statements:
        explained = await plan_sql(statement, params, on_postgres)
        assert f"Seq Scan on {table}" not in explained, explained
        assert "SCAN r\n" not in explained + "\n", explained  # SQLite: a full scan of the records


async def plan_sql(sql: str, params: list[object], on_postgres: bool) -> str:
    async with in_transaction() as conn:
        if on_postgres:
            await conn.execute_script("SET LOCAL enable_seqscan = off")
            rows = await conn.execute_query_dict(f"EXPLAIN {sql}", params)
            return "\n".join(r["QUERY PLAN"] for r in rows)
        rows = await conn.execute_query_dict(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(r["detail"] for r in rows)
