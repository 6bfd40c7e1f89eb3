"""Sources as a managed list: colours, positions, reordering, archiving and restoring."""

from __future__ import annotations

from typing import Any

import pytest

from models import Source
from resolvers.palette import PALETTE
from tests.documents import (
    ALL_SOURCES,
    ARCHIVE_SOURCE,
    CREATE_COLOURED_SOURCE,
    REORDER_SOURCES,
    RESTORE_SOURCE,
    SOURCE,
    SOURCES,
    UPDATE_SOURCE,
)
from tests.graphql import GQL, Caller

UNKNOWN = "00000000-0000-0000-0000-000000000000"


async def create(gql: GQL, who: Caller, name: str, color: str | None = None) -> dict[str, Any]:
    return (await gql.ok(who, CREATE_COLOURED_SOURCE, name=name, color=color))["createSource"]


async def listed(gql: GQL, who: Caller, *, archived: bool = False) -> list[tuple[str, int]]:
    """(name, position) of `sources`, in the order the API returns them."""
    data = await gql.ok(who, ALL_SOURCES if archived else SOURCES)
    return [(s["name"], s["position"]) for s in data["sources"]]


async def test_a_new_source_is_last_with_the_first_palette_colour_and_not_archived(
    gql: GQL, admin: Caller
) -> None:
    source = await create(gql, admin, "Website")
    assert {k: source[k] for k in ("name", "color", "position", "archived", "archivedAt")} == {
        "name": "Website",
        "color": PALETTE[0],
        "position": 0,
        "archived": False,
        "archivedAt": None,
    }


async def test_new_sources_take_the_palette_in_order_then_start_again(gql: GQL, admin: Caller) -> None:
    created = [await create(gql, admin, f"S{i}") for i in range(14)]
    assert [s["color"] for s in created] == [*PALETTE, PALETTE[0], PALETTE[1]]
    assert [s["position"] for s in created] == list(range(14))


async def test_the_least_used_palette_colour_wins_ties_in_palette_order(gql: GQL, admin: Caller) -> None:
    # given: the first two palette colours taken twice, the third once by a chosen colour
    await create(gql, admin, "A", PALETTE[0])
    await create(gql, admin, "B", PALETTE[0])
    await create(gql, admin, "C", PALETTE[1].lower())
    await create(gql, admin, "D", PALETTE[2])
    await create(gql, admin, "Custom", "#000000")  # outside the palette: counts for no colour
    # when
    chosen = [(await create(gql, admin, f"New {i}"))["color"] for i in range(10)]
    # then: colours 4..12 (unused) in palette order, then colour 2 (used once) before colour 3
    assert chosen == [*PALETTE[3:], PALETTE[1]]


async def test_archived_sources_count_for_the_palette_and_deleted_ones_do_not(
    gql: GQL, admin: Caller
) -> None:
    first = await create(gql, admin, "A")
    second = await create(gql, admin, "B")
    await gql.ok(admin, ARCHIVE_SOURCE, id=first["id"])
    await gql.ok(
        admin,
        "mutation($id: ID!) { deleteSource(id: $id, confirm: true) { deletedId } }",
        id=second["id"],
    )
    assert (await create(gql, admin, "C"))["color"] == PALETTE[1]


@pytest.mark.parametrize("color", ["#abcdef", "#ABCDEF", "#AbCdEf"])
async def test_a_chosen_colour_is_case_insensitive_and_answered_in_upper_case(
    gql: GQL, admin: Caller, color: str
) -> None:
    assert (await create(gql, admin, "Website", color))["color"] == "#ABCDEF"


BAD_COLOURS = [
    "",
    "ABCDEF",
    "#ABCDE",
    "#ABCDEFF",
    "#GGGGGG",
    "red",
    "#ABC",
    " #ABCDEF",
    "#ABCDEF\n",
    "#１２３４５６",
]


@pytest.mark.parametrize("color", BAD_COLOURS)
async def test_a_colour_that_is_not_rrggbb_is_bad_user_input(gql: GQL, admin: Caller, color: str) -> None:
    error = await gql.error(admin, CREATE_COLOURED_SOURCE, name="Website", color=color)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "color"}
    assert await listed(gql, admin) == []


async def test_update_source_renames_and_recolours(gql: GQL, admin: Caller) -> None:
    source = await create(gql, admin, "Webinar")
    renamed = (await gql.ok(admin, UPDATE_SOURCE, id=source["id"], input={"name": " Webinars "}))[
        "updateSource"
    ]
    recoloured = (await gql.ok(admin, UPDATE_SOURCE, id=source["id"], input={"color": "#00ff00"}))[
        "updateSource"
    ]
    both = (
        await gql.ok(admin, UPDATE_SOURCE, id=source["id"], input={"name": "Web seminar", "color": "#0000FF"})
    )["updateSource"]
    unchanged = (await gql.ok(admin, UPDATE_SOURCE, id=source["id"], input={}))["updateSource"]
    assert (renamed["name"], renamed["color"]) == ("Webinars", PALETTE[0])
    assert (recoloured["name"], recoloured["color"]) == ("Webinars", "#00FF00")
    assert (both["name"], both["color"]) == ("Web seminar", "#0000FF")
    assert unchanged == both
    assert both["position"] == 0


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"name": None}, "name"),
        ({"name": "  "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"color": None}, "color"),
        ({"color": "blue"}, "color"),
        ({"name": "Fine", "color": "#12345"}, "color"),
    ],
)
async def test_update_source_bad_input_changes_nothing(
    gql: GQL, admin: Caller, patch: dict[str, Any], field: str
) -> None:
    source = await create(gql, admin, "Webinar")
    error = await gql.error(admin, UPDATE_SOURCE, id=source["id"], input=patch)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert (await gql.ok(admin, SOURCE, id=source["id"]))["source"] == source


async def test_update_source_onto_another_name_conflicts(gql: GQL, admin: Caller) -> None:
    await create(gql, admin, "Webinar")
    other = await create(gql, admin, "Webinars")
    error = await gql.error(
        admin, UPDATE_SOURCE, id=other["id"], input={"name": "WEBINAR", "color": "#000000"}
    )
    assert error["extensions"] == {"code": "CONFLICT", "field": "name"}
    assert (await gql.ok(admin, SOURCE, id=other["id"]))["source"] == other


async def test_reorder_puts_the_listed_first_and_keeps_the_others_relative_order(
    gql: GQL, admin: Caller
) -> None:
    # given
    a, b, c, d, e = [await create(gql, admin, n) for n in "ABCDE"]
    # when: a client that only knows about D and B
    reordered = (await gql.ok(admin, REORDER_SOURCES, ids=[d["id"], b["id"]]))["reorderSources"]
    # then
    expected = [("D", 0), ("B", 1), ("A", 2), ("C", 3), ("E", 4)]
    assert [(s["name"], s["position"]) for s in reordered] == expected
    assert await listed(gql, admin) == expected
    # and colours do not follow positions
    assert {s["name"]: s["color"] for s in reordered} == {s["name"]: s["color"] for s in (a, b, c, d, e)}


async def test_reorder_with_every_source_and_with_none(gql: GQL, admin: Caller) -> None:
    a, b, c = [await create(gql, admin, n) for n in "ABC"]
    await gql.ok(admin, REORDER_SOURCES, ids=[c["id"], a["id"], b["id"]])
    assert await listed(gql, admin) == [("C", 0), ("A", 1), ("B", 2)]
    await gql.ok(admin, REORDER_SOURCES, ids=[])
    assert await listed(gql, admin) == [("C", 0), ("A", 1), ("B", 2)]


async def test_reorder_with_a_repeated_id_is_bad_user_input(gql: GQL, admin: Caller) -> None:
    a, b = [await create(gql, admin, n) for n in "AB"]
    error = await gql.error(admin, REORDER_SOURCES, ids=[b["id"], a["id"], b["id"]])
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "ids"}
    assert await listed(gql, admin) == [("A", 0), ("B", 1)]


@pytest.mark.parametrize("missing", ["UNKNOWN", "FOREIGN", "not-a-uuid"])
async def test_reorder_with_an_id_not_in_the_account_is_not_found(
    gql: GQL, admin: Caller, outsider: Caller, missing: str
) -> None:
    _a, b = [await create(gql, admin, n) for n in "AB"]
    foreign = await create(gql, outsider, "Theirs")
    bad = {"UNKNOWN": UNKNOWN, "FOREIGN": foreign["id"]}.get(missing, missing)
    error = await gql.error(admin, REORDER_SOURCES, ids=[b["id"], bad])
    assert error["extensions"] == {"code": "NOT_FOUND", "field": "ids"}
    assert await listed(gql, admin) == [("A", 0), ("B", 1)]
    assert await listed(gql, outsider) == [("Theirs", 0)]


async def test_reorder_takes_archived_sources_and_keeps_their_place_among_the_others(
    gql: GQL, admin: Caller
) -> None:
    _a, b, c = [await create(gql, admin, n) for n in "ABC"]
    await gql.ok(admin, ARCHIVE_SOURCE, id=b["id"])
    reordered = (await gql.ok(admin, REORDER_SOURCES, ids=[c["id"]]))["reorderSources"]
    assert [(s["name"], s["position"], s["archived"]) for s in reordered] == [
        ("C", 0, False),
        ("A", 1, False),
        ("B", 2, True),
    ]
    assert await listed(gql, admin) == [("C", 0), ("A", 1)]


async def test_archive_hides_a_source_from_the_list_but_not_by_id(gql: GQL, admin: Caller) -> None:
    # given
    _a, b, _c = [await create(gql, admin, n) for n in "ABC"]
    # when
    archived = (await gql.ok(admin, ARCHIVE_SOURCE, id=b["id"]))["archiveSource"]
    # then
    assert archived["archived"] is True
    assert archived["archivedAt"].endswith("+00:00")
    assert archived["position"] == 1
    assert await listed(gql, admin) == [("A", 0), ("C", 2)]
    assert await listed(gql, admin, archived=True) == [("A", 0), ("B", 1), ("C", 2)]
    assert (await gql.ok(admin, SOURCE, id=b["id"]))["source"] == archived
    null_argument = await gql.ok(admin, "{ sources(includeArchived: null) { name } }")
    assert null_argument["sources"] == [{"name": "A"}, {"name": "C"}]


async def test_archiving_twice_keeps_the_first_time(gql: GQL, admin: Caller) -> None:
    source = await create(gql, admin, "Fair 2025")
    first = (await gql.ok(admin, ARCHIVE_SOURCE, id=source["id"]))["archiveSource"]
    second = (await gql.ok(admin, ARCHIVE_SOURCE, id=source["id"]))["archiveSource"]
    assert second == first


async def test_restore_brings_a_source_back_at_its_old_position(gql: GQL, admin: Caller) -> None:
    # given: B archived, and a source created meanwhile
    _a, b, _c = [await create(gql, admin, n) for n in "ABC"]
    await gql.ok(admin, ARCHIVE_SOURCE, id=b["id"])
    await create(gql, admin, "D")
    # when
    restored = (await gql.ok(admin, RESTORE_SOURCE, id=b["id"]))["restoreSource"]
    # then
    assert (restored["archived"], restored["archivedAt"], restored["position"]) == (False, None, 1)
    assert await listed(gql, admin) == [("A", 0), ("B", 1), ("C", 2), ("D", 3)]


async def test_restoring_a_source_that_is_not_archived_changes_nothing(gql: GQL, admin: Caller) -> None:
    source = await create(gql, admin, "Website")
    assert (await gql.ok(admin, RESTORE_SOURCE, id=source["id"]))["restoreSource"] == source


async def test_archived_sources_can_be_renamed_and_recoloured(gql: GQL, admin: Caller) -> None:
    source = await create(gql, admin, "Fair 2025")
    await gql.ok(admin, ARCHIVE_SOURCE, id=source["id"])
    updated = (
        await gql.ok(admin, UPDATE_SOURCE, id=source["id"], input={"name": "Fair '25", "color": "#111111"})
    )["updateSource"]
    assert (updated["name"], updated["color"], updated["archived"]) == ("Fair '25", "#111111", True)


async def test_deleting_a_source_closes_the_gap_in_positions(gql: GQL, admin: Caller) -> None:
    _a, b, c, _d = [await create(gql, admin, n) for n in "ABCD"]
    await gql.ok(admin, ARCHIVE_SOURCE, id=c["id"])
    await gql.ok(
        admin, "mutation($id: ID!) { deleteSource(id: $id, confirm: true) { deletedId } }", id=b["id"]
    )
    assert await listed(gql, admin, archived=True) == [("A", 0), ("C", 1), ("D", 2)]
    assert (await create(gql, admin, "E"))["position"] == 3


async def test_equal_positions_are_listed_by_creation(gql: GQL, admin: Caller) -> None:
    # given: positions the API never writes (two racing creates on a database without the lock)
    a, b, c = [await create(gql, admin, n) for n in "ABC"]
    await Source.filter(id__in=[a["id"], b["id"], c["id"]]).update(position=0)
    # when / then: still one order, the creation order
    assert await listed(gql, admin) == [("A", 0), ("B", 0), ("C", 0)]
    # and the next reorder makes them distinct again
    await gql.ok(admin, REORDER_SOURCES, ids=[c["id"]])
    assert await listed(gql, admin) == [("C", 0), ("A", 1), ("B", 2)]


FOREIGN_ID_MUTATIONS = [
    ('mutation($id: ID!) { updateSource(id: $id, input: {name: "Mine"}) { id } }', "id"),
    ("mutation($id: ID!) { archiveSource(id: $id) { id } }", "id"),
    ("mutation($id: ID!) { restoreSource(id: $id) { id } }", "id"),
]


@pytest.mark.parametrize(("document", "field"), FOREIGN_ID_MUTATIONS)
@pytest.mark.parametrize("missing", ["UNKNOWN", "FOREIGN", "not-a-uuid"])
async def test_a_source_of_another_account_or_none_is_not_found(
    gql: GQL, admin: Caller, outsider: Caller, document: str, field: str, missing: str
) -> None:
    foreign = await create(gql, outsider, "Theirs")
    before = (await gql.ok(outsider, ALL_SOURCES))["sources"]
    bad = {"UNKNOWN": UNKNOWN, "FOREIGN": foreign["id"]}.get(missing, missing)
    error = await gql.error(admin, document, id=bad)
    assert error["extensions"] == {"code": "NOT_FOUND", "field": field}
    assert (await gql.ok(outsider, ALL_SOURCES))["sources"] == before
