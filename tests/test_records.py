"""Companies, persons and deals: create, edit, delete, and choosing a source (rules 1 and 3)."""

from __future__ import annotations

import asyncio
from uuid import UUID

import pytest

from tests.documents import (
    COMPANY,
    CREATE_COMPANY,
    CREATE_DEAL,
    CREATE_PERSON,
    DEAL,
    DELETE_COMPANY,
    DELETE_DEAL,
    DELETE_PERSON,
    DISABLE_SOURCES,
    ENABLE_SOURCES,
    PERSON,
    UPDATE_COMPANY,
    UPDATE_DEAL,
    UPDATE_PERSON,
)
from tests.graphql import GQL, Caller, Records

CREATE = {"company": CREATE_COMPANY, "person": CREATE_PERSON, "deal": CREATE_DEAL}
UPDATE = {"company": UPDATE_COMPANY, "person": UPDATE_PERSON, "deal": UPDATE_DEAL}
GET = {"company": COMPANY, "person": PERSON, "deal": DEAL}
REQUIRED = {"company": {"name": "Initech"}, "person": {"firstName": "Peter"}, "deal": {"title": "Licence"}}
KINDS = ["company", "person", "deal"]


async def make(records: Records, kind: str, **fields: object) -> dict:
    create = {"company": records.company, "person": records.person, "deal": records.deal}[kind]
    return await create(**fields)


async def fetch(gql: GQL, who: Caller, kind: str, record_id: str) -> dict | None:
    return (await gql.ok(who, GET[kind], id=record_id))[kind]


async def total(gql: GQL, who: Caller, kind: str) -> int:
    field = {"company": "companies", "person": "persons", "deal": "deals"}[kind]
    return (await gql.ok(who, f"{{ {field} {{ totalCount }} }}"))[field]["totalCount"]


@pytest.mark.parametrize("kind", KINDS)
async def test_create_with_a_source_and_default_owner(alpha: Records, admin: Caller, kind: str) -> None:
    web = await alpha.source("Website")
    record = await make(alpha, kind, sourceId=web["id"])
    assert record["source"] == {"id": web["id"], "name": "Website"}
    assert record["owner"]["id"] == admin.user_id
    assert record["createdAt"] == record["updatedAt"]


@pytest.mark.parametrize("kind", KINDS)
async def test_ids_are_time_ordered_uuids_that_sort_in_creation_order(alpha: Records, kind: str) -> None:
    # models/keys.py: a bulk move then walks rows, ids and creation times in one order
    ids = []
    for _ in range(3):
        ids.append((await make(alpha, kind))["id"])
        await asyncio.sleep(0.002)  # a later millisecond: within one, the order is random
    assert [UUID(i).version for i in ids] == [7, 7, 7]
    assert sorted(ids) == ids


@pytest.mark.parametrize("kind", KINDS)
async def test_owner_can_be_another_user_of_the_account(alpha: Records, user: Caller, kind: str) -> None:
    record = await make(alpha, kind, ownerId=user.user_id)
    assert record["owner"]["id"] == user.user_id


@pytest.mark.parametrize("kind", KINDS)
async def test_any_user_may_create_edit_and_delete(gql: GQL, admin: Caller, user: Caller, kind: str) -> None:
    await gql.ok(admin, ENABLE_SOURCES)
    mine = await make(Records(gql, user), kind)
    await gql.ok(user, UPDATE[kind], id=mine["id"], input={"ownerId": admin.user_id})
    delete = {"company": DELETE_COMPANY, "person": DELETE_PERSON, "deal": DELETE_DEAL}[kind]
    assert (await gql.ok(user, delete, id=mine["id"])) == {f"delete{kind.title()}": mine["id"]}
    assert await fetch(gql, admin, kind, mine["id"]) is None


@pytest.mark.parametrize("kind", KINDS)
async def test_update_keeps_a_left_out_source_and_clears_an_explicit_null(
    gql: GQL, admin: Caller, alpha: Records, kind: str
) -> None:
    web = await alpha.source("Website")
    record = await make(alpha, kind, sourceId=web["id"])
    rename = {
        "company": {"name": "Renamed"},
        "person": {"firstName": "Renamed"},
        "deal": {"title": "Renamed"},
    }
    kept = await gql.ok(admin, UPDATE[kind], id=record["id"], input=rename[kind])
    cleared = await gql.ok(admin, UPDATE[kind], id=record["id"], input={"sourceId": None})
    field = f"update{kind.title()}"
    assert kept[field]["source"]["id"] == web["id"]
    assert cleared[field]["source"] is None
    assert cleared[field]["updatedAt"] > record["updatedAt"]


@pytest.mark.parametrize("kind", KINDS)
async def test_assigning_a_source_while_switched_off_fails_and_writes_nothing(
    gql: GQL, admin: Caller, alpha: Records, kind: str
) -> None:
    # given: a record with a source, then sources switched off
    web = await alpha.source("Website")
    record = await make(alpha, kind, sourceId=web["id"])
    await gql.ok(admin, DISABLE_SOURCES)
    # when
    create_error = await gql.error(admin, CREATE[kind], input={**REQUIRED[kind], "sourceId": web["id"]})
    update_error = await gql.error(
        admin, UPDATE[kind], id=record["id"], input={"sourceId": web["id"], **REQUIRED[kind]}
    )
    # then
    assert create_error["extensions"] == {"code": "SOURCES_DISABLED", "field": "sourceId"}
    assert update_error["extensions"]["code"] == "SOURCES_DISABLED"
    assert await total(gql, admin, kind) == 1
    assert (await fetch(gql, admin, kind, record["id"])) == record  # reads still show the source
    # and: switched on again, every earlier assignment is unchanged
    await gql.ok(admin, ENABLE_SOURCES)
    assert (await fetch(gql, admin, kind, record["id"]))["source"]["id"] == web["id"]


@pytest.mark.parametrize("kind", KINDS)
async def test_records_without_source_work_while_switched_off(gql: GQL, admin: Caller, kind: str) -> None:
    record = await make(Records(gql, admin), kind, sourceId=None)
    assert record["source"] is None


REFERENCES = {
    "company": ["sourceId", "ownerId"],
    "person": ["sourceId", "ownerId", "companyId"],
    "deal": ["sourceId", "ownerId", "companyId", "personId"],
}


@pytest.mark.parametrize(("kind", "reference"), [(k, r) for k, refs in REFERENCES.items() for r in refs])
async def test_foreign_ids_in_inputs_are_not_found_and_nothing_is_written(
    gql: GQL, admin: Caller, alpha: Records, outsider: Caller, kind: str, reference: str
) -> None:
    # given: records of another account
    theirs = Records(gql, outsider)
    await gql.ok(outsider, ENABLE_SOURCES)
    foreign = {
        "sourceId": (await theirs.source("Theirs"))["id"],
        "ownerId": outsider.user_id,
        "companyId": (await theirs.company())["id"],
        "personId": (await theirs.person())["id"],
    }[reference]
    mine = await make(alpha, kind)
    # when
    create_error = await gql.error(admin, CREATE[kind], input={**REQUIRED[kind], reference: foreign})
    update_error = await gql.error(admin, UPDATE[kind], id=mine["id"], input={reference: foreign})
    # then
    assert create_error["extensions"] == {"code": "NOT_FOUND", "field": reference}
    assert update_error["extensions"] == {"code": "NOT_FOUND", "field": reference}
    assert await total(gql, admin, kind) == 1
    assert await fetch(gql, admin, kind, mine["id"]) == mine


@pytest.mark.parametrize("kind", KINDS)
async def test_another_accounts_record_cannot_be_read_edited_or_deleted(
    gql: GQL, alpha: Records, outsider: Caller, kind: str
) -> None:
    mine = await make(alpha, kind)
    delete = {"company": DELETE_COMPANY, "person": DELETE_PERSON, "deal": DELETE_DEAL}[kind]
    assert await fetch(gql, outsider, kind, mine["id"]) is None
    assert await gql.code(outsider, UPDATE[kind], id=mine["id"], input=REQUIRED[kind]) == "NOT_FOUND"
    assert await gql.code(outsider, delete, id=mine["id"]) == "NOT_FOUND"
    assert await fetch(gql, alpha.who, kind, mine["id"]) == mine


@pytest.mark.parametrize("kind", KINDS)
async def test_null_owner_on_update_is_bad_user_input(
    gql: GQL, admin: Caller, alpha: Records, kind: str
) -> None:
    record = await make(alpha, kind)
    error = await gql.error(admin, UPDATE[kind], id=record["id"], input={"ownerId": None})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "ownerId"}


async def test_deleting_a_company_keeps_its_persons_and_deals(
    gql: GQL, admin: Caller, alpha: Records
) -> None:
    company = await alpha.company()
    person = await alpha.person(companyId=company["id"])
    deal = await alpha.deal(companyId=company["id"], personId=person["id"])
    await gql.ok(admin, DELETE_COMPANY, id=company["id"])
    assert (await fetch(gql, admin, "person", person["id"]))["company"] is None
    kept_deal = await fetch(gql, admin, "deal", deal["id"])
    assert kept_deal["company"] is None
    assert kept_deal["person"]["id"] == person["id"]


async def test_deleting_a_person_keeps_their_deals(gql: GQL, admin: Caller, alpha: Records) -> None:
    person = await alpha.person()
    deal = await alpha.deal(personId=person["id"])
    await gql.ok(admin, DELETE_PERSON, id=person["id"])
    assert (await fetch(gql, admin, "deal", deal["id"]))["person"] is None


async def test_deal_defaults_and_value_serialisation(alpha: Records) -> None:
    plain = await alpha.deal()
    priced = await alpha.deal(value="1250.5", status="WON")
    assert (plain["value"], plain["status"]) == ("0.00", "OPEN")
    assert (priced["value"], priced["status"]) == ("1250.50", "WON")


@pytest.mark.parametrize("value", ["-1", "-0.01", "10.001", "1e20", "NaN", "Infinity", "abc", ""])
async def test_bad_deal_values_are_bad_user_input(
    gql: GQL, admin: Caller, alpha: Records, value: str
) -> None:
    deal = await alpha.deal(value="10")
    create_error = await gql.error(admin, CREATE_DEAL, input={"title": "X", "value": value})
    update_error = await gql.error(admin, UPDATE_DEAL, id=deal["id"], input={"value": value})
    assert create_error["extensions"] == {"code": "BAD_USER_INPUT", "field": "value"}
    assert update_error["extensions"] == {"code": "BAD_USER_INPUT", "field": "value"}
    assert await total(gql, admin, "deal") == 1
    assert (await fetch(gql, admin, "deal", deal["id"]))["value"] == "10.00"


async def test_person_fields_are_trimmed_and_blank_email_is_none(alpha: Records) -> None:
    person = await alpha.person(" Ada ", lastName=" Lovelace ", email="  ")
    assert (person["firstName"], person["lastName"], person["email"]) == ("Ada", "Lovelace", None)


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("company", "name", " "),
        ("company", "name", "n" * 201),
        ("person", "firstName", ""),
        ("person", "email", "not-an-email"),
        ("person", "email", "a@" + "b" * 260 + ".example"),
        ("deal", "title", "t" * 201),
    ],
)
async def test_text_limits_are_bad_user_input(
    gql: GQL, admin: Caller, alpha: Records, kind: str, field: str, value: str
) -> None:
    error = await gql.error(admin, CREATE[kind], input={**REQUIRED[kind], field: value})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert await total(gql, admin, kind) == 0
