"""Bulk changes of records' sources: deleteSource, mergeSources and applyCompanySource.

Each is checked in the database: exactly the records it should change have their new source
and a bumped `updatedAt`; every other record is untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from models import Company, Deal, Person
from tests.documents import (
    ALL_SOURCES,
    APPLY_COMPANY_SOURCE,
    ARCHIVE_SOURCE,
    DELETE_SOURCE,
    DISABLE_SOURCES,
    MERGE_SOURCES,
)
from tests.graphql import GQL, Caller, Records
from tests.stored import source_meant

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
MODELS = {"company": Company, "person": Person, "deal": Deal}
UNKNOWN = "00000000-0000-0000-0000-000000000000"


@dataclass
class World:
    web: dict[str, Any]
    fair: dict[str, Any]
    mail: dict[str, Any]
    spare: dict[str, Any]
    ids: dict[str, str]  # record ids by a short name: "c_web" is a company on Web, …


@pytest.fixture
async def world(alpha: Records, outsider: Caller, gql: GQL) -> World:
    """Records of every kind on Web, Fair, Mail and none; all last updated long ago."""
    web, fair, mail, spare = [await alpha.source(n) for n in ("Web", "Fair", "Mail", "Spare")]
    ids: dict[str, str] = {}
    for tag, source in (("web", web), ("fair", fair), ("mail", mail), ("none", None)):
        fields = {"sourceId": source["id"]} if source else {}
        ids[f"c_{tag}"] = (await alpha.company(f"Company {tag}", **fields))["id"]
        ids[f"p_{tag}"] = (await alpha.person(f"Person {tag}", **fields))["id"]
        ids[f"d_{tag}"] = (await alpha.deal(f"Deal {tag}", **fields))["id"]
    # another account's records on a source of the same name are never touched
    foreign = Records(gql, outsider)
    await gql.ok(outsider, "mutation { updateSourceSettings(enabled: true) { enabled } }")
    theirs = await foreign.source("Fair")
    ids["foreign_person"] = (await foreign.person("Theirs", sourceId=theirs["id"]))["id"]
    await age_everything()
    return World(web, fair, mail, spare, ids)


async def age_everything() -> None:
    for model in MODELS.values():
        await model.all().update(updated_at=LONG_AGO)


async def database(world: World) -> dict[str, tuple[str | None, bool]]:
    """Every record of the world: (the source it is on, whether its updatedAt moved since it was aged)."""
    state = {}
    for name, record_id in world.ids.items():
        model = MODELS[{"c": "company", "p": "person", "d": "deal"}.get(name[0], "person")]
        record = await model.get(id=record_id)
        state[name] = (await source_meant(record.source_id), record.updated_at > LONG_AGO)
    return state


async def sources(gql: GQL, admin: Caller) -> list[dict[str, Any]]:
    return (await gql.ok(admin, ALL_SOURCES))["sources"]


def usage(c: int, p: int, d: int) -> dict[str, int]:
    return {"companies": c, "persons": p, "deals": d}


# deleteSource


async def test_delete_without_replacement_clears_and_bumps_exactly_its_records(
    gql: GQL, admin: Caller, world: World
) -> None:
    # given
    before = await database(world)
    # when
    data = await gql.ok(admin, DELETE_SOURCE, id=world.fair["id"], confirm=True)
    # then
    assert data["deleteSource"] == {
        "deletedId": world.fair["id"],
        "detached": usage(1, 1, 1),
        "replacedWith": None,
    }
    expected = dict(before)
    expected.update(c_fair=(None, True), p_fair=(None, True), d_fair=(None, True))
    assert await database(world) == expected
    assert [(s["name"], s["position"]) for s in await sources(gql, admin)] == [
        ("Web", 0),
        ("Mail", 1),
        ("Spare", 2),
    ]


async def test_delete_with_replacement_moves_and_bumps_exactly_its_records(
    gql: GQL, admin: Caller, world: World
) -> None:
    # given
    before = await database(world)
    # when
    data = await gql.ok(admin, DELETE_SOURCE, id=world.fair["id"], confirm=True, replaceWith=world.web["id"])
    # then
    assert data["deleteSource"]["detached"] == usage(1, 1, 1)
    assert data["deleteSource"]["replacedWith"] == {"id": world.web["id"], "name": "Web"}
    web = world.web["id"]
    expected = dict(before)
    expected.update(c_fair=(web, True), p_fair=(web, True), d_fair=(web, True))
    assert await database(world) == expected
    assert [(s["name"], s["usage"]) for s in await sources(gql, admin)] == [
        ("Web", usage(2, 2, 2)),
        ("Mail", usage(1, 1, 1)),
        ("Spare", usage(0, 0, 0)),
    ]


async def test_deleting_an_unused_source_bumps_nothing(gql: GQL, admin: Caller, world: World) -> None:
    before = await database(world)
    data = await gql.ok(admin, DELETE_SOURCE, id=world.spare["id"], confirm=True)
    assert data["deleteSource"]["detached"] == usage(0, 0, 0)
    assert await database(world) == before


@pytest.mark.parametrize("target", ["id", "replaceWith"])
@pytest.mark.parametrize("missing", ["UNKNOWN", "FOREIGN", "not-a-uuid"])
async def test_delete_with_an_id_not_in_the_account_is_not_found(
    gql: GQL, admin: Caller, outsider: Caller, world: World, target: str, missing: str
) -> None:
    before = await database(world)
    theirs = (await gql.ok(outsider, ALL_SOURCES))["sources"][0]["id"]
    bad = {"UNKNOWN": UNKNOWN, "FOREIGN": theirs}.get(missing, missing)
    variables = {"id": world.fair["id"], "replaceWith": world.web["id"], target: bad}
    error = await gql.error(admin, DELETE_SOURCE, confirm=True, **variables)
    assert error["extensions"] == {"code": "NOT_FOUND", "field": target}
    assert await database(world) == before
    assert len(await sources(gql, admin)) == 4


# mergeSources


async def test_merge_moves_every_record_bumps_exactly_those_and_deletes_the_merged(
    gql: GQL, admin: Caller, world: World
) -> None:
    # given
    before = await database(world)
    usage_before = {s["name"]: s["usage"] for s in await sources(gql, admin)}
    # when
    data = await gql.ok(
        admin, MERGE_SOURCES, ids=[world.mail["id"], world.fair["id"]], into=world.web["id"], confirm=True
    )
    # then
    payload = data["mergeSources"]
    assert payload["mergedIds"] == [world.mail["id"], world.fair["id"]]
    assert payload["moved"] == usage(2, 2, 2)
    assert payload["into"]["id"] == world.web["id"]
    assert payload["into"]["usage"] == usage(3, 3, 3)
    assert usage_before == {
        "Web": usage(1, 1, 1),
        "Fair": usage(1, 1, 1),
        "Mail": usage(1, 1, 1),
        "Spare": usage(0, 0, 0),
    }
    web = world.web["id"]
    expected = dict(before)
    for tag in ("fair", "mail"):
        expected.update({f"c_{tag}": (web, True), f"p_{tag}": (web, True), f"d_{tag}": (web, True)})
    assert await database(world) == expected
    assert [(s["name"], s["position"], s["usage"]) for s in await sources(gql, admin)] == [
        ("Web", 0, usage(3, 3, 3)),
        ("Spare", 1, usage(0, 0, 0)),
    ]


async def test_merge_takes_archived_sources_on_either_side(gql: GQL, admin: Caller, world: World) -> None:
    # given: Fair archived, Mail archived
    await gql.ok(admin, ARCHIVE_SOURCE, id=world.fair["id"])
    await gql.ok(admin, ARCHIVE_SOURCE, id=world.mail["id"])
    # when
    data = await gql.ok(admin, MERGE_SOURCES, ids=[world.fair["id"]], into=world.mail["id"], confirm=True)
    # then
    assert data["mergeSources"]["moved"] == usage(1, 1, 1)
    assert data["mergeSources"]["into"]["archived"] is True
    state = await database(world)
    assert state["p_fair"] == (world.mail["id"], True)


async def test_merge_of_unused_sources_moves_nothing(gql: GQL, admin: Caller, world: World) -> None:
    before = await database(world)
    data = await gql.ok(admin, MERGE_SOURCES, ids=[world.spare["id"]], into=world.web["id"], confirm=True)
    assert data["mergeSources"]["moved"] == usage(0, 0, 0)
    assert await database(world) == before


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("no ids", "ids"),
        ("51 ids", "ids"),
        ("a repeated id", "ids"),
        ("into among ids", "ids"),
        ("not confirmed", "confirm"),
    ],
)
async def test_merge_bad_user_input_changes_nothing(
    gql: GQL, admin: Caller, world: World, case: str, field: str
) -> None:
    # given
    before, listed = await database(world), await sources(gql, admin)
    fair, mail, web = world.fair["id"], world.mail["id"], world.web["id"]
    ids = {
        "no ids": [],
        "51 ids": [fair, mail, *(f"00000000-0000-0000-0000-{i:012d}" for i in range(49))],
        "a repeated id": [fair, mail, fair],
        "into among ids": [fair, web],
        "not confirmed": [fair],
    }[case]
    # when
    error = await gql.error(admin, MERGE_SOURCES, ids=ids, into=web, confirm=case != "not confirmed")
    # then
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert await database(world) == before
    assert await sources(gql, admin) == listed


async def test_merge_of_fifty_sources_is_fine(gql: GQL, admin: Caller, alpha: Records) -> None:
    into = await alpha.source("Into")
    merged = [(await alpha.source(f"M{i}"))["id"] for i in range(50)]
    data = await gql.ok(admin, MERGE_SOURCES, ids=merged, into=into["id"], confirm=True)
    assert data["mergeSources"]["mergedIds"] == merged
    assert [s["name"] for s in await sources(gql, admin)] == ["Into"]


@pytest.mark.parametrize("target", ["ids", "into"])
@pytest.mark.parametrize("missing", ["UNKNOWN", "FOREIGN", "not-a-uuid"])
async def test_merge_with_an_id_not_in_the_account_is_not_found(
    gql: GQL, admin: Caller, outsider: Caller, world: World, target: str, missing: str
) -> None:
    # given
    before, listed = await database(world), await sources(gql, admin)
    theirs = (await gql.ok(outsider, ALL_SOURCES))["sources"][0]["id"]
    bad = {"UNKNOWN": UNKNOWN, "FOREIGN": theirs}.get(missing, missing)
    variables = {"ids": [world.fair["id"], world.mail["id"]], "into": world.web["id"]}
    variables["ids" if target == "ids" else "into"] = [world.fair["id"], bad] if target == "ids" else bad
    # when
    error = await gql.error(admin, MERGE_SOURCES, confirm=True, **variables)
    # then
    assert error["extensions"] == {"code": "NOT_FOUND", "field": target}
    assert await database(world) == before
    assert await sources(gql, admin) == listed
    assert len((await gql.ok(outsider, ALL_SOURCES))["sources"]) == 1


# applyCompanySource


@pytest.fixture
async def initech(alpha: Records, world: World) -> dict[str, Any]:
    """A company on Fair with two persons and two deals: one of each without a source, one on Web."""
    company = await alpha.company("Initech", sourceId=world.fair["id"])
    world.ids["c_initech"] = company["id"]
    world.ids["p_initech_none"] = (await alpha.person("Peter", companyId=company["id"], sourceId=None))["id"]
    world.ids["p_initech_web"] = (
        await alpha.person("Bill", companyId=company["id"], sourceId=world.web["id"])
    )["id"]
    world.ids["p_initech_fair"] = (
        await alpha.person("Milton", companyId=company["id"], sourceId=world.fair["id"])
    )["id"]
    world.ids["d_initech_none"] = (await alpha.deal("TPS", companyId=company["id"], sourceId=None))["id"]
    world.ids["d_initech_web"] = (
        await alpha.deal("Stapler", companyId=company["id"], sourceId=world.web["id"])
    )["id"]
    await age_everything()
    return company


async def test_apply_gives_the_company_source_to_its_records_without_one(
    gql: GQL, user: Caller, world: World, initech: dict[str, Any]
) -> None:
    # given
    before = await database(world)
    # when: any user may apply
    data = await gql.ok(user, APPLY_COMPANY_SOURCE, companyId=initech["id"])
    # then
    assert data["applyCompanySource"] == {
        "company": {"id": initech["id"], "source": {"id": world.fair["id"]}},
        "persons": 1,
        "deals": 1,
    }
    fair = world.fair["id"]
    expected = dict(before)
    expected.update(p_initech_none=(fair, True), d_initech_none=(fair, True))
    assert await database(world) == expected


async def test_apply_with_overwrite_changes_every_record_whose_source_differs(
    gql: GQL, user: Caller, world: World, initech: dict[str, Any]
) -> None:
    # given
    before = await database(world)
    # when
    data = await gql.ok(user, APPLY_COMPANY_SOURCE, companyId=initech["id"], overwrite=True)
    # then: Milton, already on Fair, is neither counted nor bumped
    assert (data["applyCompanySource"]["persons"], data["applyCompanySource"]["deals"]) == (2, 2)
    fair = world.fair["id"]
    expected = dict(before)
    for name in ("p_initech_none", "p_initech_web", "d_initech_none", "d_initech_web"):
        expected[name] = (fair, True)
    assert await database(world) == expected


async def test_applying_twice_changes_nothing_the_second_time(
    gql: GQL, user: Caller, world: World, initech: dict[str, Any]
) -> None:
    await gql.ok(user, APPLY_COMPANY_SOURCE, companyId=initech["id"], overwrite=True)
    await age_everything()
    before = await database(world)
    data = await gql.ok(user, APPLY_COMPANY_SOURCE, companyId=initech["id"], overwrite=True)
    assert (data["applyCompanySource"]["persons"], data["applyCompanySource"]["deals"]) == (0, 0)
    assert await database(world) == before


async def test_apply_copies_an_archived_company_source(
    gql: GQL, admin: Caller, world: World, initech: dict[str, Any]
) -> None:
    await gql.ok(admin, ARCHIVE_SOURCE, id=world.fair["id"])
    data = await gql.ok(admin, APPLY_COMPANY_SOURCE, companyId=initech["id"])
    assert (data["applyCompanySource"]["persons"], data["applyCompanySource"]["deals"]) == (1, 1)
    assert (await database(world))["p_initech_none"] == (world.fair["id"], True)


async def test_apply_while_sources_are_off_is_sources_disabled(
    gql: GQL, admin: Caller, user: Caller, world: World, initech: dict[str, Any]
) -> None:
    await gql.ok(admin, DISABLE_SOURCES)
    before = await database(world)
    error = await gql.error(user, APPLY_COMPANY_SOURCE, companyId=initech["id"], overwrite=True)
    assert error["extensions"]["code"] == "SOURCES_DISABLED"
    assert await database(world) == before


async def test_apply_on_a_company_without_source_is_bad_user_input(
    gql: GQL, user: Caller, alpha: Records, world: World
) -> None:
    bare = await alpha.company("Bare Ltd")
    world.ids["p_bare"] = (await alpha.person("Bea", companyId=bare["id"]))["id"]
    await age_everything()
    before = await database(world)
    error = await gql.error(user, APPLY_COMPANY_SOURCE, companyId=bare["id"], overwrite=True)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "companyId"}
    assert await database(world) == before


@pytest.mark.parametrize("missing", ["UNKNOWN", "FOREIGN", "not-a-uuid"])
async def test_apply_on_a_company_not_in_the_account_is_not_found(
    gql: GQL, outsider: Caller, world: World, initech: dict[str, Any], missing: str
) -> None:
    before = await database(world)
    bad = {"UNKNOWN": UNKNOWN, "FOREIGN": initech["id"]}.get(missing, missing)
    error = await gql.error(outsider, APPLY_COMPANY_SOURCE, companyId=bad, overwrite=True)
    assert error["extensions"] == {"code": "NOT_FOUND", "field": "companyId"}
    assert await database(world) == before
