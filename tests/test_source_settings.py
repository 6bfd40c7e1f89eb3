from __future__ import annotations

from tests.graphql import GQL, Caller

SETTINGS = "{ sourceSettings { enabled inheritFromCompany } }"
UPDATE = """mutation($enabled: Boolean, $inherit: Boolean) {
  updateSourceSettings(enabled: $enabled, inheritFromCompany: $inherit) { enabled inheritFromCompany } }"""


async def test_settings_default_to_off(gql: GQL, admin: Caller) -> None:
    data = await gql.ok(admin, SETTINGS)
    assert data["sourceSettings"] == {"enabled": False, "inheritFromCompany": False}


async def test_switches_toggle_independently(gql: GQL, admin: Caller, user: Caller) -> None:
    first = await gql.ok(admin, UPDATE, inherit=True)
    second = await gql.ok(admin, UPDATE, enabled=True)
    third = await gql.ok(admin, UPDATE, inherit=False)
    assert first["updateSourceSettings"] == {"enabled": False, "inheritFromCompany": True}
    assert second["updateSourceSettings"] == {"enabled": True, "inheritFromCompany": True}
    assert third["updateSourceSettings"] == {"enabled": True, "inheritFromCompany": False}
    # every user of the account reads the same settings
    assert (await gql.ok(user, SETTINGS))["sourceSettings"] == {"enabled": True, "inheritFromCompany": False}


async def test_settings_are_per_account(gql: GQL, admin: Caller, outsider: Caller) -> None:
    await gql.ok(admin, UPDATE, enabled=True, inherit=True)
    data = await gql.ok(outsider, SETTINGS)
    assert data["sourceSettings"] == {"enabled": False, "inheritFromCompany": False}
