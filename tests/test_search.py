"""`search`: a case-insensitive substring of names, emails and deal titles, for every script and
on every backend (SQLite's LIKE and lower() ignore case for ASCII letters only)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.documents import UPDATE_COMPANY, UPDATE_DEAL, UPDATE_PERSON
from tests.graphql import GQL, Caller, Records

FOUND = """query($s: String) {
  companies(first: 200, filter: {search: $s}) { totalCount edges { node { name } } }
  persons(first: 200, filter: {search: $s}) { totalCount edges { node { firstName lastName email } } }
  deals(first: 200, filter: {search: $s}) { totalCount edges { node { title } } } }"""


async def found(gql: GQL, who: Caller, needle: str) -> dict[str, list[Any]]:
    data = await gql.ok(who, FOUND, s=needle)
    for kind in ("companies", "persons", "deals"):
        assert data[kind]["totalCount"] == len(data[kind]["edges"])
    return {
        "companies": sorted(e["node"]["name"] for e in data["companies"]["edges"]),
        "persons": sorted(e["node"]["firstName"] for e in data["persons"]["edges"]),
        "deals": sorted(e["node"]["title"] for e in data["deals"]["edges"]),
    }


def hits(**kinds: list[str]) -> dict[str, list[str]]:
    return {"companies": [], "persons": [], "deals": [], **kinds}


@pytest.fixture
async def records(alpha: Records, outsider: Caller, gql: GQL) -> None:
    await alpha.company("Öko Bau")
    await alpha.company("Hauptstraße 5")
    await alpha.company("Zoë 803")
    await alpha.person("Jürgen", lastName="Łódź", email="j@müller.example")
    await alpha.person("Σωκράτης", lastName="Παπαδόπουλος")
    await alpha.person("Ada", lastName="Lovelace")
    await alpha.deal("Łódź expansion")
    await alpha.deal("Ärztehaus Süd")
    # another account's look-alikes are never found
    await Records(gql, outsider).company("ÖKO BAU")


@pytest.mark.parametrize(
    ("needle", "expected"),
    [
        ("öko", hits(companies=["Öko Bau"])),
        ("ÖKO BAU", hits(companies=["Öko Bau"])),
        ("STRASSE", hits(companies=["Hauptstraße 5"])),  # "ß" folds to "ss"
        ("OË 8", hits(companies=["Zoë 803"])),
        ("JÜRGE", hits(persons=["Jürgen"])),
        ("łódź", hits(persons=["Jürgen"], deals=["Łódź expansion"])),
        ("ŁÓDŹ", hits(persons=["Jürgen"], deals=["Łódź expansion"])),
        ("MÜLLER.EX", hits(persons=["Jürgen"])),  # a person's email
        ("ΣΩΚΡΆΤΗΣ", hits(persons=["Σωκράτης"])),  # final sigma folds like any sigma
        ("παπαδό", hits(persons=["Σωκράτης"])),
        ("ÄRZTE", hits(deals=["Ärztehaus Süd"])),
        ("ＡＤＡ", hits(persons=["Ada"])),  # full-width letters fold to ASCII
        ("Zoe\u0308", hits(companies=["Zoë 803"])),  # the needle is normalised like the names
        ("lovelace", hits(persons=["Ada"])),
        ("nothing", hits()),
    ],
)
async def test_search_ignores_case_in_every_script(
    gql: GQL, admin: Caller, records: None, needle: str, expected: dict[str, list[str]]
) -> None:
    assert await found(gql, admin, needle) == expected


async def test_deal_filter_searches_the_title(gql: GQL, admin: Caller, alpha: Records) -> None:
    await alpha.deal("Licence Łódź")
    await alpha.deal("Support")
    data = await gql.ok(admin, '{ deals(filter: {search: "ŁÓDŹ"}) { edges { node { title } } } }')
    assert [e["node"]["title"] for e in data["deals"]["edges"]] == ["Licence Łódź"]


async def test_like_wildcards_in_the_needle_are_plain_characters(
    gql: GQL, admin: Caller, alpha: Records
) -> None:
    for name in ("100% Bio", "a_b", "back\\slash", "plain"):
        await alpha.company(name)
    assert (await found(gql, admin, "%"))["companies"] == ["100% Bio"]
    assert (await found(gql, admin, "_"))["companies"] == ["a_b"]
    assert (await found(gql, admin, "\\"))["companies"] == ["back\\slash"]
    assert (await found(gql, admin, "0%_"))["companies"] == []


async def test_edits_are_searchable_at_once_and_the_old_text_is_gone(
    gql: GQL, admin: Caller, alpha: Records
) -> None:
    # given
    company = await alpha.company("Alt GmbH")
    person = await alpha.person("Jörg", lastName="Alt")
    deal = await alpha.deal("Alt")
    # when: a person's last name changes alone; the first name must stay searchable
    await gql.ok(admin, UPDATE_COMPANY, id=company["id"], input={"name": "Öl GmbH"})
    await gql.ok(admin, UPDATE_PERSON, id=person["id"], input={"lastName": "Ölmann", "email": "J@ÖL.example"})
    await gql.ok(admin, UPDATE_DEAL, id=deal["id"], input={"title": "Ölpreis"})
    # then
    assert await found(gql, admin, "ÖL") == hits(companies=["Öl GmbH"], persons=["Jörg"], deals=["Ölpreis"])
    assert await found(gql, admin, "JÖRG") == hits(persons=["Jörg"])
    assert await found(gql, admin, "@öl.") == hits(persons=["Jörg"])
    assert await found(gql, admin, "alt") == hits()


async def test_clearing_an_email_clears_its_search_text(gql: GQL, admin: Caller, alpha: Records) -> None:
    person = await alpha.person("Kim", email="kim@firma.example")
    await gql.ok(admin, UPDATE_PERSON, id=person["id"], input={"email": None})
    assert await found(gql, admin, "firma") == hits()


async def test_a_needle_with_invisible_characters_is_bad_user_input(gql: GQL, admin: Caller) -> None:
    error = await gql.error(admin, '{ persons(filter: {search: "Ada\\u200b"}) { totalCount } }')
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "search"}
