"""The statistics, list, sync and deletion queries are served by their indexes (EXPLAIN, on the real backend).

Plans are pinned here; timings live in bench/, never in tests.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from uuid import UUID

import pytest
from tortoise.models import Model
from tortoise.queryset import QuerySet, ValuesQuery
from tortoise.transactions import in_transaction

from models import (
    Account,
    Company,
    Deal,
    DeletedRecord,
    Person,
    RecordKind,
    SourceChange,
    SourceChangeReason,
    SourceOrigin,
    User,
)
from resolvers.deletions import OLDEST_FIRST
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
from resolvers.pagination import NEWEST_FIRST, UPDATED_FIRST_TO_LAST, PageRequest, encode_cursor, keyset_page
from resolvers.tally import Span, cells_statement
from seeding.bulk import analyze, insert_rows
from seeding.synthetic import PERSON_COLUMNS, SeedCounts, seed_account
from tests.graphql import Caller

OWNER_ID = "9b7b4f4e-7c43-4a35-a7ad-2a8d8bfbd6b5"
OWNER = UUID(OWNER_ID)
SINCE = datetime(2025, 1, 1, tzinfo=UTC)


async def plan(query: QuerySet | ValuesQuery, on_postgres: bool) -> str:  # type: ignore[type-arg]
    return await explain(query.sql(params_inline=True), [], on_postgres)


def covered_by(index: str, on_postgres: bool) -> str:
    return f"Index Only Scan using {index} " if on_postgres else f"USING COVERING INDEX {index} "


async def explain(sql: str, params: list[object], on_postgres: bool) -> str:
    async with in_transaction() as conn:
        if on_postgres:
            # tiny test tables: make the planner show which index it would use at scale
            await conn.execute_script("SET LOCAL enable_seqscan = off")
            rows = await conn.execute_query_dict(f"EXPLAIN {sql}", params)
            return "\n".join(r["QUERY PLAN"] for r in rows)
        rows = await conn.execute_query_dict(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(r["detail"] for r in rows)


MONTHS = [Span(datetime(2025, m, 1, tzinfo=UTC), datetime(2025, m + 1, 1, tzinfo=UTC)) for m in range(1, 12)]


CURRENT, FIRST = "source_id", "first_source_id"
CELL_CASES = {
    "all": ([Span(None, None)], False, CURRENT, ["by_source"]),
    # which of the two depends on the planner's statistics; both hold every column needed
    "owners": ([Span(None, None)], True, CURRENT, ["owner", "by_source"]),
    "since": ([Span(SINCE, None)], False, CURRENT, ["by_source"]),
    "months": (MONTHS, False, CURRENT, ["by_source"]),  # a trend: every cell a range of the index
    "months-owners": (MONTHS, True, CURRENT, ["owner", "by_source"]),
    # by first touch: the same, over the first source
    "first-all": ([Span(None, None)], False, FIRST, ["by_first_source"]),
    "first-owners": ([Span(None, None)], True, FIRST, ["first_owner", "by_first_source"]),
    "first-months-owners": (MONTHS, True, FIRST, ["first_owner", "by_first_source"]),
    "first-since": ([Span(SINCE, None)], False, FIRST, ["by_first_source"]),
    "first-months": (MONTHS, False, FIRST, ["by_first_source"]),
}


async def test_statistics_cells_read_only_covering_indexes(admin: Caller, on_postgres: bool) -> None:
    # given: an account of some size, with the planner's statistics (tiny tables plan anyhow)
    account = await Account.get(id=admin.account_id)
    await seed_account(account, SeedCounts(companies=2_000, persons=12_000, deals=6_000, sources=8, users=4))
    owners = [u.id for u in await User.filter(account=account)][:2]
    dialect = "postgres" if on_postgres else "sqlite"
    for case, (spans, by_owner, column, suffixes) in CELL_CASES.items():
        for table in ("person", "company", "deal"):
            figures = {"sqlite": "json_array(COUNT(*))", "postgres": "json_build_array(COUNT(*))"}[dialect]
            sql, params = cells_statement(
                dialect, table, figures, account, spans, column, owners if by_owner else None
            )
            # when
            explained = await explain(sql, params, on_postgres)
            # then: both branches (the sources, and "no source") seek into a covering index
            covering = [covered_by(f"{table}_{suffix}", on_postgres) for suffix in suffixes]
            assert sum(explained.count(index) for index in covering) == 2, (case, explained)
            if spans[0].start is not None:  # the cell's range bounds the index seek
                assert ("created_at >= period" if on_postgres else "created_at>?") in explained, explained
            assert "TEMP B-TREE" not in explained
            assert "Sort" not in explained


@pytest.mark.parametrize(("column", "narrow"), [(CURRENT, "source_fk"), (FIRST, "first_source_fk")])
async def test_a_bare_count_per_source_over_all_time_reads_the_single_column_source_index(
    admin: Caller, on_postgres: bool, column: str, narrow: str
) -> None:
    # given
    account = await Account.get(id=admin.account_id)
    await seed_account(account, SeedCounts(companies=2_000, persons=12_000, deals=6_000, sources=8, users=4))
    dialect = "postgres" if on_postgres else "sqlite"
    for table in ("person", "company"):
        sql, params = cells_statement(
            dialect, table, "COUNT(*)", account, [Span(None, None)], column, None, counts_only=True
        )
        # when
        explained = await explain(sql, params, on_postgres)
        # then: a source's cell by the source alone; "no source" within the account
        assert covered_by(f"{table}_{narrow}", on_postgres) in explained, explained
        assert covered_by(f"{table}_by_{column.removesuffix('_id')}", on_postgres) in explained, explained


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
    everything = await filter_q(RecordFilter(), account=account, model=Person, company_field="company_id")
    query = keyset_page(Person.filter(everything, account=account), request=request_, ordering=NEWEST_FIRST)
    explained = await plan(query, on_postgres)
    assert "person_page" in explained
    # the cursor bounds the index range (a deep page costs what the first page costs)
    assert (bound[0] if on_postgres else bound[1]) in explained, explained
    assert "TEMP B-TREE" not in explained
    assert "Sort" not in explained


SYNCED = encode_cursor(SINCE, OWNER, tag=UPDATED_FIRST_TO_LAST.tag)


@pytest.mark.parametrize("table", ["company", "person", "deal"])
@pytest.mark.parametrize(
    ("request_", "where", "bound"),
    [
        (PageRequest(first=200), RecordFilter(), None),
        (PageRequest(first=200, after=SYNCED), RecordFilter(), ("updated_at >= ", "updated_at>?")),
        (PageRequest(last=200, before=SYNCED), RecordFilter(), ("updated_at <= ", "updated_at<?")),
        (PageRequest(first=200), RecordFilter(updated_from=SINCE), ("updated_at >= ", "updated_at>?")),
    ],
    ids=["first-page", "forward", "backward", "updated-from"],
)
async def test_a_sync_page_seeks_in_the_update_order_index_without_sorting(
    admin: Caller,
    on_postgres: bool,
    table: str,
    request_: PageRequest,
    where: RecordFilter,
    bound: tuple[str, str] | None,
) -> None:
    # given
    model = {"company": Company, "person": Person, "deal": Deal}[table]
    account = await Account.get(id=admin.account_id)
    q = await filter_q(where, account=account, model=model, company_field="company_id")
    listed = model.filter(q, account=account)
    # when
    explained = await plan(keyset_page(listed, request=request_, ordering=UPDATED_FIRST_TO_LAST), on_postgres)
    # then
    assert f"{table}_updated" in explained, explained
    if bound is not None:
        assert (bound[0] if on_postgres else bound[1]) in explained, explained
    assert "TEMP B-TREE" not in explained
    assert "Sort" not in explained


@pytest.mark.parametrize(
    "request_",
    [PageRequest(first=200), PageRequest(first=200, after=encode_cursor(SINCE, OWNER, tag=OLDEST_FIRST.tag))],
    ids=["first-page", "after"],
)
async def test_deleted_records_are_paged_from_their_index(
    admin: Caller, on_postgres: bool, request_: PageRequest
) -> None:
    deleted = DeletedRecord.filter(account_id=admin.account_id, deleted_at__gte=SINCE)
    explained = await plan(keyset_page(deleted, request=request_, ordering=OLDEST_FIRST), on_postgres)
    assert "deleted_record_page" in explained, explained
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
    needle = RecordFilter(search="zqx")
    rare = Person.filter(await filter_q(needle, account=account, model=Person, company_field="company_id"))
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
    ],
)
async def test_deleting_a_source_finds_first_sources_through_an_index(
    admin: Caller, on_postgres: bool, model: type[Model], column: str, index: str
) -> None:
    # ON DELETE SET NULL on first sources, as for source_id above (history entries name their
    # sources without a foreign key: nothing to find there)
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
    explained = await explain(statement, params, on_postgres)
    assert "source_change_history" in explained, explained
    assert "Seq Scan" not in explained
    assert "SCAN source_change" not in explained


WEB = HeldSource(id=OWNER, name="Web", archived_at=None)
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
    statements = move_statements(model, account=account, move=MOVES[move], by=OWNER, now=now)
    table = model._meta.db_table
    for statement, params in statements:
        explained = await explain(statement, params, on_postgres)
        assert f"Seq Scan on {table}" not in explained, explained
        assert "SCAN r\n" not in explained + "\n", explained  # SQLite: a full scan of the records
