"""Names, titles and emails: NFC-normalised, no invisible characters, and any length within the
limit is accepted or refused, never a crash (the folded key can be 18 times the name)."""

from __future__ import annotations

import unicodedata

import pytest

from tests.documents import CREATE_COMPANY, CREATE_DEAL, CREATE_PERSON, CREATE_SOURCE, RENAME_SOURCE, SOURCES
from tests.graphql import GQL, Caller, Records

CREATE_USER = """mutation($input: CreateUserInput!) {
  createUser(input: $input) { user { id name email } token } }"""

LOOK_ALIKES = [
    "Web\u200bsite",  # zero-width space
    "\ufeffWebsite",  # byte-order mark
    "\u200b",  # nothing visible at all
    "Web\u200csite",  # zero-width non-joiner
    "Web\u200dsite",  # zero-width joiner between letters
    "Web\u2060site",  # word joiner
    "Web\u00adsite",  # soft hyphen
    "Website\u200e",  # left-to-right mark
    "\u202eetisbeW",  # right-to-left override
    "Web\u2066site\u2069",  # bidi isolate
    "\u3164",  # Hangul filler, a "blank letter"
    "Web\u2028site",  # line separator
    "\U0001f469\u200d",  # a joiner with nothing to join
]


async def source_names(gql: GQL, who: Caller) -> list[str]:
    return [s["name"] for s in (await gql.ok(who, SOURCES))["sources"]]


@pytest.mark.parametrize("name", LOOK_ALIKES, ids=[f"look-alike{i}" for i in range(len(LOOK_ALIKES))])
async def test_invisible_characters_are_refused_so_look_alikes_cannot_be_added(
    gql: GQL, admin: Caller, alpha: Records, name: str
) -> None:
    # given
    website = await alpha.source("Website")
    # when
    created = await gql.error(admin, CREATE_SOURCE, name=name)
    renamed = await gql.error(admin, RENAME_SOURCE, id=website["id"], name=name)
    # then
    assert created["extensions"] == {"code": "BAD_USER_INPUT", "field": "name"}
    assert renamed["extensions"] == {"code": "BAD_USER_INPUT", "field": "name"}
    assert await source_names(gql, admin) == ["Website"]


async def test_every_name_title_and_email_refuses_invisible_characters(gql: GQL, admin: Caller) -> None:
    zwsp = "Ada\u200b"
    cases = [
        (CREATE_COMPANY, {"input": {"name": zwsp}}, "name"),
        (CREATE_PERSON, {"input": {"firstName": zwsp}}, "firstName"),
        (CREATE_PERSON, {"input": {"firstName": "Ada", "lastName": zwsp}}, "lastName"),
        (CREATE_PERSON, {"input": {"firstName": "Ada", "email": "ada\u200b@x.example"}}, "email"),
        (CREATE_DEAL, {"input": {"title": zwsp}}, "title"),
        (CREATE_USER, {"input": {"name": zwsp, "email": "a@x.example"}}, "name"),
        (CREATE_USER, {"input": {"name": "Ada", "email": "\ufeffa@x.example"}}, "email"),
    ]
    for document, variables, field in cases:
        error = await gql.error(admin, document, **variables)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, (variables, error)


EMOJI = [
    "\U0001f469\u200d\U0001f4bb Devs",  # woman technologist: a joiner between two emoji
    "\U0001f3f3\ufe0f\u200d\U0001f308 Pride",  # rainbow flag: emoji, variation selector, joiner, emoji
    "\U0001f468\U0001f3fd\u200d\U0001f680 Space",  # astronaut with a skin tone
    "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f Scotland",  # tag sequence
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",  # right-to-left script needs no control characters
]


async def test_emoji_sequences_and_right_to_left_scripts_are_accepted(
    gql: GQL, admin: Caller, alpha: Records
) -> None:
    for name in EMOJI:
        await alpha.source(name)
    assert sorted(await source_names(gql, admin)) == sorted(EMOJI)


async def test_names_are_stored_nfc_normalised_and_both_forms_are_one_name(
    gql: GQL, admin: Caller, alpha: Records
) -> None:
    # given: "Zoë" typed with a combining diaeresis
    decomposed = "Zoe\u0308"
    # when
    source = await alpha.source(decomposed)
    person = await alpha.person(decomposed, lastName="Mu\u0308ller", email="zoe\u0308@x.example")
    again = await gql.error(admin, CREATE_SOURCE, name="Zo\u00eb")
    # then
    assert source["name"] == "Zo\u00eb" == unicodedata.normalize("NFC", decomposed)
    assert (person["firstName"], person["lastName"], person["email"]) == ("Zoë", "Müller", "zoë@x.example")
    assert again["extensions"] == {"code": "CONFLICT", "field": "name"}


async def test_a_name_whose_key_is_18_times_longer_is_accepted_and_stays_unique(
    gql: GQL, admin: Caller, alpha: Records
) -> None:
    # given: "ﷺ" folds (NFKC) to 18 letters: 100 of them used to outgrow the key column
    long_fold = "\ufdfa" * 100
    # when
    created = await alpha.source(long_fold)
    other = await alpha.source("\ufdfa" * 99 + "x")
    duplicate = await gql.error(admin, CREATE_SOURCE, name=long_fold)
    renamed = (await gql.ok(admin, RENAME_SOURCE, id=other["id"], name="\ufdfa" * 98 + "y"))["renameSource"]
    # then
    assert created["name"] == long_fold
    assert duplicate["extensions"] == {"code": "CONFLICT", "field": "name"}
    assert renamed["name"] == "\ufdfa" * 98 + "y"
    assert len(await source_names(gql, admin)) == 2


async def test_an_email_whose_key_is_longer_than_its_column_is_accepted_and_stays_unique(
    gql: GQL, admin: Caller
) -> None:
    # given: 253 characters; "ß" (and capital "ẞ") casefold to "ss", so the key has 494
    email = "ß" * 241 + "@example.com"
    assert len(email) == 253
    # when
    created = (await gql.ok(admin, CREATE_USER, input={"name": "Long", "email": email}))["createUser"]
    duplicate = await gql.error(
        admin, CREATE_USER, input={"name": "Twin", "email": "\u1e9e" * 241 + "@EXAMPLE.COM"}
    )
    # then
    assert created["user"]["email"] == email
    assert duplicate["extensions"] == {"code": "CONFLICT", "field": "email"}


@pytest.mark.parametrize(
    ("document", "variables", "field"),
    [
        (CREATE_SOURCE, {"name": "\ufdfa" * 100}, None),
        (CREATE_COMPANY, {"input": {"name": "\ufdfa" * 200}}, None),
        (CREATE_PERSON, {"input": {"firstName": "\ufdfa" * 100, "lastName": "\ufdfa" * 100}}, None),
        (CREATE_PERSON, {"input": {"firstName": "x", "email": "ß" * 241 + "@example.com"}}, None),
        (CREATE_DEAL, {"input": {"title": "\ufdfa" * 200}}, None),
        # NFC makes U+0344 two characters: 100 of them are 200, over the limit
        (CREATE_SOURCE, {"name": "\u0344" * 100}, "name"),
        (CREATE_COMPANY, {"input": {"name": "x" * 201}}, "name"),
    ],
)
async def test_any_name_within_the_limit_is_accepted_or_refused_never_a_crash(
    gql: GQL, admin: Caller, alpha: Records, document: str, variables: dict, field: str | None
) -> None:
    body = await gql(admin, document, **variables)
    if field is None:
        assert not body.get("errors"), body
    else:
        assert [e["extensions"] for e in body["errors"]] == [{"code": "BAD_USER_INPUT", "field": field}]
