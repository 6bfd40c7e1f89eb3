"""Inheritance: persons and deals created with a company and without a sourceId take its source."""

from __future__ import annotations

import pytest

from tests.documents import (
    DISABLE_SOURCES,
    ENABLE_INHERITANCE,
    PERSON,
    UPDATE_COMPANY,
    UPDATE_DEAL,
    UPDATE_PERSON,
)
from tests.graphql import GQL, Caller, Records

KINDS = ["person", "deal"]


async def create(records: Records, kind: str, **fields: object) -> dict:
    return await (records.person(**fields) if kind == "person" else records.deal(**fields))


@pytest.fixture
async def fair(alpha: Records) -> dict:
    return await alpha.source("Trade fair")


@pytest.fixture
async def company(alpha: Records, fair: dict) -> dict:
    return await alpha.company("Initech", sourceId=fair["id"])


@pytest.mark.parametrize("kind", KINDS)
async def test_without_inheritance_a_new_record_has_no_source(
    alpha: Records, company: dict, kind: str
) -> None:
    record = await create(alpha, kind, companyId=company["id"])
    assert record["source"] is None


@pytest.mark.parametrize("kind", KINDS)
async def test_created_without_source_id_takes_the_company_source(
    gql: GQL, admin: Caller, alpha: Records, company: dict, fair: dict, kind: str
) -> None:
    # given
    await gql.ok(admin, ENABLE_INHERITANCE)
    # when
    record = await create(alpha, kind, companyId=company["id"])
    # then
    assert record["source"] == {"id": fair["id"], "name": "Trade fair"}


@pytest.mark.parametrize("kind", KINDS)
async def test_explicit_null_source_wins_over_inheritance(
    gql: GQL, admin: Caller, alpha: Records, company: dict, kind: str
) -> None:
    await gql.ok(admin, ENABLE_INHERITANCE)
    record = await create(alpha, kind, companyId=company["id"], sourceId=None)
    assert record["source"] is None


@pytest.mark.parametrize("kind", KINDS)
async def test_explicit_other_source_wins_over_inheritance(
    gql: GQL, admin: Caller, alpha: Records, company: dict, kind: str
) -> None:
    await gql.ok(admin, ENABLE_INHERITANCE)
    web = await alpha.source("Website")
    record = await create(alpha, kind, companyId=company["id"], sourceId=web["id"])
    assert record["source"]["id"] == web["id"]


@pytest.mark.parametrize("kind", KINDS)
async def test_without_company_nothing_is_inherited(
    gql: GQL, admin: Caller, alpha: Records, company: dict, kind: str
) -> None:
    await gql.ok(admin, ENABLE_INHERITANCE)
    record = await create(alpha, kind)
    assert record["source"] is None


@pytest.mark.parametrize("kind", KINDS)
async def test_company_without_source_gives_none(gql: GQL, admin: Caller, alpha: Records, kind: str) -> None:
    await gql.ok(admin, ENABLE_INHERITANCE)
    bare = await alpha.company("Bare Ltd")
    record = await create(alpha, kind, companyId=bare["id"])
    assert record["source"] is None


@pytest.mark.parametrize("kind", KINDS)
async def test_sources_switched_off_stops_inheritance(
    gql: GQL, admin: Caller, alpha: Records, company: dict, kind: str
) -> None:
    await gql.ok(admin, ENABLE_INHERITANCE)
    await gql.ok(admin, DISABLE_SOURCES)
    record = await create(alpha, kind, companyId=company["id"])
    assert record["source"] is None


@pytest.mark.parametrize("kind", KINDS)
async def test_edit_never_reinherits(
    gql: GQL, admin: Caller, alpha: Records, company: dict, kind: str
) -> None:
    # given: a record created without a company, then inheritance switched on
    record = await create(alpha, kind)
    await gql.ok(admin, ENABLE_INHERITANCE)
    # when: the record is moved to the company
    document = UPDATE_PERSON if kind == "person" else UPDATE_DEAL
    updated = await gql.ok(admin, document, id=record["id"], input={"companyId": company["id"]})
    # then
    field = "updatePerson" if kind == "person" else "updateDeal"
    assert updated[field]["company"]["id"] == company["id"]
    assert updated[field]["source"] is None


async def test_company_source_change_does_not_ripple(
    gql: GQL, admin: Caller, alpha: Records, company: dict, fair: dict
) -> None:
    # given
    await gql.ok(admin, ENABLE_INHERITANCE)
    person = await alpha.person(companyId=company["id"])
    web = await alpha.source("Website")
    # when
    await gql.ok(admin, UPDATE_COMPANY, id=company["id"], input={"sourceId": web["id"]})
    # then
    assert (await gql.ok(admin, PERSON, id=person["id"]))["person"]["source"]["id"] == fair["id"]
    assert (await alpha.person(companyId=company["id"]))["source"]["id"] == web["id"]
