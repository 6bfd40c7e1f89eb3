"""An archived source stays on its records but cannot be newly assigned (SOURCE_ARCHIVED)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.documents import (
    ARCHIVE_SOURCE,
    DISABLE_SOURCES,
    ENABLE_INHERITANCE,
    RESTORE_SOURCE,
)
from tests.graphql import GQL, Caller, Records
from tests.test_records import CREATE, KINDS, REQUIRED, UPDATE, fetch, make, total

FIELD = {"company": "Company", "person": "Person", "deal": "Deal"}
LIST = {"company": "companies", "person": "persons", "deal": "deals"}
FILTER = {"company": "ContactFilter", "person": "ContactFilter", "deal": "DealFilter"}


@pytest.fixture
async def fair(gql: GQL, admin: Caller, alpha: Records) -> dict[str, Any]:
    """ "Fair 2025", archived."""
    fair = await alpha.source("Fair 2025")
    return (await gql.ok(admin, ARCHIVE_SOURCE, id=fair["id"]))["archiveSource"]


def updated(kind: str) -> str:
    return f"update{FIELD[kind]}"


@pytest.mark.parametrize("kind", KINDS)
async def test_an_archived_source_cannot_be_chosen_on_create(
    gql: GQL, user: Caller, alpha: Records, fair: dict[str, Any], kind: str
) -> None:
    # when
    error = await gql.error(user, CREATE[kind], input={**REQUIRED[kind], "sourceId": fair["id"]})
    # then
    assert error["extensions"] == {"code": "SOURCE_ARCHIVED", "field": "sourceId"}
    assert await total(gql, user, kind) == 0


@pytest.mark.parametrize("kind", KINDS)
async def test_an_archived_source_cannot_be_newly_set_on_update(
    gql: GQL, user: Caller, alpha: Records, fair: dict[str, Any], kind: str
) -> None:
    # given
    web = await alpha.source("Website")
    record = await make(alpha, kind, sourceId=web["id"])
    # when
    error = await gql.error(user, UPDATE[kind], id=record["id"], input={"sourceId": fair["id"]})
    # then
    assert error["extensions"] == {"code": "SOURCE_ARCHIVED", "field": "sourceId"}
    assert await fetch(gql, user, kind, record["id"]) == record


@pytest.mark.parametrize("kind", KINDS)
async def test_a_record_keeps_its_archived_source_and_may_resend_it(
    gql: GQL, admin: Caller, user: Caller, alpha: Records, kind: str
) -> None:
    # given: a record on a source that is archived afterwards
    fair = await alpha.source("Fair 2025")
    record = await make(alpha, kind, sourceId=fair["id"])
    await gql.ok(admin, ARCHIVE_SOURCE, id=fair["id"])
    name = "title" if kind == "deal" else "name" if kind == "company" else "firstName"
    # when: edits that leave the source out, and one that sends it again
    kept = (await gql.ok(user, UPDATE[kind], id=record["id"], input={name: "Edited"}))[updated(kind)]
    resent = (
        await gql.ok(user, UPDATE[kind], id=record["id"], input={"sourceId": fair["id"], name: "Again"})
    )[updated(kind)]
    # then
    assert kept["source"] == {"id": fair["id"], "name": "Fair 2025"}
    assert resent["source"] == {"id": fair["id"], "name": "Fair 2025"}
    assert (await fetch(gql, user, kind, record["id"]) or {})["source"]["id"] == fair["id"]


@pytest.mark.parametrize("kind", KINDS)
async def test_an_archived_source_can_be_cleared_and_is_then_gone_for_good(
    gql: GQL, admin: Caller, alpha: Records, kind: str
) -> None:
    fair = await alpha.source("Fair 2025")
    record = await make(alpha, kind, sourceId=fair["id"])
    await gql.ok(admin, ARCHIVE_SOURCE, id=fair["id"])
    cleared = (await gql.ok(admin, UPDATE[kind], id=record["id"], input={"sourceId": None}))[updated(kind)]
    assert cleared["source"] is None
    error = await gql.error(admin, UPDATE[kind], id=record["id"], input={"sourceId": fair["id"]})
    assert error["extensions"] == {"code": "SOURCE_ARCHIVED", "field": "sourceId"}


@pytest.mark.parametrize("kind", KINDS)
async def test_a_restored_source_can_be_assigned_again(
    gql: GQL, admin: Caller, alpha: Records, fair: dict[str, Any], kind: str
) -> None:
    await gql.ok(admin, RESTORE_SOURCE, id=fair["id"])
    record = await make(alpha, kind, sourceId=fair["id"])
    assert record["source"]["id"] == fair["id"]


async def test_an_archived_source_of_a_missing_record_is_not_found(
    gql: GQL, admin: Caller, fair: dict[str, Any]
) -> None:
    error = await gql.error(
        admin, UPDATE["person"], id="00000000-0000-0000-0000-000000000000", input={"sourceId": fair["id"]}
    )
    assert error["extensions"] == {"code": "NOT_FOUND", "field": "id"}


async def test_while_sources_are_off_an_archived_source_is_sources_disabled(
    gql: GQL, admin: Caller, fair: dict[str, Any]
) -> None:
    await gql.ok(admin, DISABLE_SOURCES)
    error = await gql.error(admin, CREATE["person"], input={"firstName": "Ada", "sourceId": fair["id"]})
    assert error["extensions"] == {"code": "SOURCES_DISABLED", "field": "sourceId"}


@pytest.mark.parametrize("kind", ["person", "deal"])
async def test_inheritance_copies_an_archived_company_source(
    gql: GQL, admin: Caller, alpha: Records, kind: str
) -> None:
    # given: a company from a fair that has since been archived
    await gql.ok(admin, ENABLE_INHERITANCE)
    fair = await alpha.source("Fair 2025")
    company = await alpha.company("Initech", sourceId=fair["id"])
    await gql.ok(admin, ARCHIVE_SOURCE, id=fair["id"])
    # when
    record = await make(alpha, kind, companyId=company["id"])
    # then
    assert record["source"] == {"id": fair["id"], "name": "Fair 2025"}


@pytest.mark.parametrize("kind", KINDS)
async def test_filters_accept_archived_source_ids(gql: GQL, admin: Caller, alpha: Records, kind: str) -> None:
    # given
    fair = await alpha.source("Fair 2025")
    on_fair = await make(alpha, kind, sourceId=fair["id"])
    await make(alpha, kind)
    await gql.ok(admin, ARCHIVE_SOURCE, id=fair["id"])
    document = f"""query($f: {FILTER[kind]}) {{
      {LIST[kind]}(filter: $f) {{ totalCount edges {{ node {{ id }} }} }} }}"""
    # when
    only_fair = (await gql.ok(admin, document, f={"sourceIds": [fair["id"]]}))[LIST[kind]]
    fair_or_none = (await gql.ok(admin, document, f={"sourceIds": [fair["id"]], "withoutSource": True}))[
        LIST[kind]
    ]
    # then
    assert only_fair == {"totalCount": 1, "edges": [{"node": {"id": on_fair["id"]}}]}
    assert fair_or_none["totalCount"] == 2


async def test_reading_a_record_shows_its_archived_source(gql: GQL, admin: Caller, alpha: Records) -> None:
    fair = await alpha.source("Fair 2025")
    person = await alpha.person(sourceId=fair["id"])
    await gql.ok(admin, ARCHIVE_SOURCE, id=fair["id"])
    document = "query($id: ID!) { person(id: $id) { source { id name archived color } } }"
    data = await gql.ok(admin, document, id=person["id"])
    assert data["person"]["source"] == {
        "id": fair["id"],
        "name": "Fair 2025",
        "archived": True,
        "color": fair["color"],
    }
