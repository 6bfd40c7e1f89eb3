"""Managing sources (admins): the account's ordered list of sources, and the usage counts on each.

- Names follow the one name rule (resolvers/text.py): trimmed, 1-100 characters, unique within
  the account ignoring case, enforced by a unique index so racing requests cannot both win.
- Colours are "#RRGGBB"; a new source without one takes the palette's least used colour
  (resolvers/palette.py).
- Order: `position` counts every source of the account, archived ones included, 0, 1, 2 …
  A new source goes last; `reorder_sources` puts the listed ones first and keeps the others'
  relative order after them; deleting or merging closes the gaps. Positions are rewritten in
  one statement inside the transaction, under the account's source-list lock
  (resolvers/locks.py), so they stay distinct; the list is ordered by (position, created_at,
  id) all the same, so it is deterministic whatever the table holds.
- Archiving hides a source from `sources` and from new assignments (resolvers/assignment.py),
  keeps it on its records, in the statistics while anything counted uses it, and at its
  position, which is where `restore_source` shows it again.
- Delete and merge move records in bulk (resolvers/assignment.py) and are permanent, so they
  need `confirm`. The deleted and merged sources are retired, left as aliases of the source
  their records moved to (resolvers/aliases.py): gone from every answer, their names free.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Case, RawSQL, When
from tortoise.functions import Count

from models import Account, Company, Deal, Person, Source, User
from models.time_limit import lengthen_for_bulk_move
from resolvers.aliases import aliases_of, fold, retire, stored_ids
from resolvers.assignment import Usage, detach_source, merge_into, replace_source
from resolvers.errors import BadUserInput, Conflict, NotFound
from resolvers.ids import parse_id
from resolvers.inputs import OMITTED, Omitted
from resolvers.locks import lock_source_list, lock_sources, write_transaction
from resolvers.palette import clean_color, least_used_color
from resolvers.scope import find_in_account, get_in_account
from resolvers.text import normalise_name

MERGE_MAX = 50
REORDER_MAX = 1000
ORDER = ("position", "created_at", "id")

__all__ = ["Usage"]  # re-exported: the usage counts are the sources' own figures too


@dataclass(frozen=True)
class SourcePatch:
    """An edit of a source: a field left OMITTED keeps its value; neither may be null."""

    name: str | Omitted | None = OMITTED
    color: str | Omitted | None = OMITTED


@dataclass(frozen=True)
class DeletedSource:
    deleted_id: UUID
    detached: Usage
    replaced_with: Source | None


@dataclass(frozen=True)
class MergedSources:
    into: Source
    merged_ids: list[UUID]
    moved: Usage


async def list_sources(*, account: Account, include_archived: bool = False) -> list[Source]:
    """The account's sources in their order; archived ones only when asked for."""
    query = Source.filter(account=account)
    if not include_archived:
        query = query.filter(archived_at__isnull=True)
    return await query.order_by(*ORDER)


async def find_source(*, account: Account, source_id: str) -> Source | None:
    return await find_in_account(Source, account=account, record_id=source_id)


async def create_source(*, account: Account, name: str, color: str | None = None) -> Source:
    """Appended last; without a colour, the palette's least used one."""
    name, key = normalise_name(name)
    chosen_color = clean_color(color) if color is not None else None
    try:
        async with write_transaction():
            await lock_source_list(account)
            existing = await Source.filter(account=account).values_list("position", "color")
            return await Source.create(
                account=account,
                name=name,
                name_key=key,
                color=chosen_color or least_used_color(c for _, c in existing),
                position=max((p for p, _ in existing), default=-1) + 1,
            )
    except IntegrityError:
        raise _name_taken(name) from None


async def update_source(*, account: Account, source_id: str, patch: SourcePatch) -> Source:
    """Renames and recolours; the name follows the same rules as on create."""
    changes: dict[str, str] = {}
    if patch.name is not OMITTED:
        if patch.name is None:
            raise BadUserInput("name cannot be null", field="name")
        changes["name"], changes["name_key"] = normalise_name(patch.name)
    if patch.color is not OMITTED:
        if patch.color is None:
            raise BadUserInput("color cannot be null", field="color")
        changes["color"] = clean_color(patch.color)
    pk = _source_id(source_id, field="id")
    if changes:
        try:
            async with write_transaction():
                updated = await Source.filter(id=pk, account=account).update(**changes)
        except IntegrityError:
            raise _name_taken(changes["name"]) from None
        if not updated:
            raise NotFound("source not found", field="id")
    return await get_in_account(Source, account=account, record_id=pk)


async def rename_source(*, account: Account, source_id: str, name: str) -> Source:
    return await update_source(account=account, source_id=source_id, patch=SourcePatch(name=name))


async def reorder_sources(*, account: Account, ids: list[str]) -> list[Source]:
    """The listed sources take positions 0…n-1 in that order; every other source (archived
    ones too) keeps its relative order after them. Returns every source, archived included."""
    listed = _distinct_ids(ids, field="ids", most=REORDER_MAX)
    async with write_transaction():
        await lock_source_list(account)
        current = await list_sources(account=account, include_archived=True)
        by_id = {s.id: s for s in current}
        if any(pk not in by_id for pk in listed):
            raise NotFound("source not found", field="ids")
        first = set(listed)
        ordered = [by_id[pk] for pk in listed] + [s for s in current if s.id not in first]
        await _renumber(account, ordered)
    return ordered


async def archive_source(*, account: Account, source_id: str) -> Source:
    """Hidden from `sources` and from new assignments; archiving an archived source keeps its time."""
    return await _set_archived(account, source_id, archived=True)


async def restore_source(*, account: Account, source_id: str) -> Source:
    """Back in `sources`, at the position it kept while archived."""
    return await _set_archived(account, source_id, archived=False)


async def delete_source(
    *, account: Account, caller: User, source_id: str, confirm: bool, replace_with: str | None
) -> DeletedSource:
    """Permanent, so it needs `confirm`. Every record using the source loses it, or moves to
    `replace_with`, in one transaction that has both sources locked; the source is retired."""
    if not confirm:
        raise BadUserInput("deleting a source is permanent: pass confirm: true", field="confirm")
    deleted_id = _source_id(source_id, field="id")
    replacement_id = None if replace_with is None else _source_id(replace_with, field="replaceWith")
    if replacement_id == deleted_id:
        raise BadUserInput("a source cannot replace itself", field="replaceWith")
    async with write_transaction():
        await lock_source_list(account)
        found = await lock_sources(account, [i for i in (deleted_id, replacement_id) if i is not None])
        if deleted_id not in found:
            raise NotFound("source not found", field="id")
        if replacement_id is not None and replacement_id not in found:
            raise NotFound("source not found", field="replaceWith")
        lengthen_for_bulk_move()
        replacement = None
        if replacement_id is None:
            detached = await detach_source(account=account, by=caller.id, source_id=deleted_id)
        else:
            detached = await replace_source(
                account=account, by=caller.id, source_id=deleted_id, replacement=found[replacement_id]
            )
            replacement = await Source.get(id=replacement_id)  # locked: a later delete cannot race this read
        await _retire_and_close_gaps(account, [deleted_id], into=replacement_id)
    return DeletedSource(deleted_id=deleted_id, detached=detached, replaced_with=replacement)


async def merge_sources(
    *, account: Account, caller: User, ids: list[str], into: str, confirm: bool
) -> MergedSources:
    """Every company, person and deal on one of `ids` moves to `into`, then `ids` are retired
    (resolvers/aliases.py): one transaction, with every source involved locked."""
    if not confirm:
        raise BadUserInput("merging deletes the merged sources: pass confirm: true", field="confirm")
    if not ids:
        raise BadUserInput("ids must name at least one source to merge", field="ids")
    merged = _distinct_ids(ids, field="ids", most=MERGE_MAX)
    into_id = _source_id(into, field="into")
    if into_id in merged:
        raise BadUserInput("a source cannot be merged into itself: remove into from ids", field="ids")
    async with write_transaction():
        await lock_source_list(account)
        found = await lock_sources(account, [*merged, into_id])
        if any(pk not in found for pk in merged):
            raise NotFound("source not found", field="ids")
        if into_id not in found:
            raise NotFound("source not found", field="into")
        lengthen_for_bulk_move()
        moved = await merge_into(account=account, by=caller.id, source_ids=merged, into=found[into_id])
        await _retire_and_close_gaps(account, merged, into=into_id)
        target = await Source.get(id=into_id)  # inside: once committed, it may be deleted
    return MergedSources(into=target, merged_ids=merged, moved=moved)


async def usage_by_source(*, account: Account, source_ids: Iterable[UUID]) -> dict[UUID, Usage]:
    """How many companies, persons and deals use each source: three GROUP BY statements over
    the stored ids that mean them (resolvers/aliases.py)."""
    ids = list(source_ids)
    aliases = await aliases_of(account)
    stored = stored_ids(set(ids), aliases)
    counts: dict[str, dict[UUID, int]] = {}
    for kind, model in (("companies", Company), ("persons", Person), ("deals", Deal)):
        rows = (
            await model.filter(account=account, source_id__in=stored)
            .annotate(n=Count("id"))
            .group_by("source_id")
            .values("source_id", "n")
        )
        found = counts[kind] = {}
        for row in rows:
            source_id = fold(row["source_id"], aliases)
            if source_id is not None:
                found[source_id] = found.get(source_id, 0) + row["n"]
    return {
        source_id: Usage(
            companies=counts["companies"].get(source_id, 0),
            persons=counts["persons"].get(source_id, 0),
            deals=counts["deals"].get(source_id, 0),
        )
        for source_id in ids
    }


async def _set_archived(account: Account, source_id: str, *, archived: bool) -> Source:
    pk = _source_id(source_id, field="id")
    async with write_transaction():
        await lock_source_list(account)
        if not await lock_sources(account, [pk]):
            raise NotFound("source not found", field="id")
        if archived:
            await Source.filter(id=pk, archived_at__isnull=True).update(archived_at=timezone.now())
        else:
            await Source.filter(id=pk).update(archived_at=None)
        return await Source.get(id=pk)  # inside: once committed, it may be deleted


async def _retire_and_close_gaps(account: Account, ids: list[UUID], *, into: UUID | None) -> None:
    await retire(account, ids, into=into, at=timezone.now())
    await _renumber(account, await list_sources(account=account, include_archived=True))


async def _renumber(account: Account, ordered: Sequence[Source]) -> None:
    """Positions 0…n-1 in this order, in one UPDATE of the sources whose position changes."""
    moving = [(s, i) for i, s in enumerate(ordered) if s.position != i]
    if moving:
        await Source.filter(account=account, id__in=[s.id for s, _ in moving]).update(
            # integer literals (a bound parameter would be text to PostgreSQL); `then` accepts any
            # term although it is typed more narrowly
            position=Case(*(When(id=s.id, then=RawSQL(str(i))) for s, i in moving))  # type: ignore[arg-type]
        )
    for s, i in moving:
        s.position = i


def _source_id(raw: str | UUID, *, field: str) -> UUID:
    try:
        return parse_id(raw, what="source")
    except NotFound:
        raise NotFound("source not found", field=field) from None


def _distinct_ids(raw: list[str], *, field: str, most: int) -> list[UUID]:
    """Ids of a list argument: at most `most`, no repeats (BAD_USER_INPUT); a malformed id is an
    unknown one (NOT_FOUND)."""
    if len(raw) > most:
        raise BadUserInput(f"{field} takes at most {most} ids", field=field)
    keys: list[UUID | str] = []
    for value in raw:
        try:
            keys.append(UUID(value))
        except (ValueError, AttributeError, TypeError):
            keys.append(value)
    if len(set(keys)) != len(keys):
        raise BadUserInput(f"{field} must not repeat an id", field=field)
    parsed = [k for k in keys if isinstance(k, UUID)]
    if len(parsed) != len(keys):
        raise NotFound("source not found", field=field)
    return parsed


def _name_taken(name: str) -> Conflict:
    return Conflict(f"a source named {name!r} already exists (names ignore case)", field="name")
