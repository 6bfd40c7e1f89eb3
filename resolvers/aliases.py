"""What a record's stored source ids mean: the one place for that rule.

Deleting or merging a source does not rewrite the records on it. The source is retired
(`retire`): its row stays, invisible to everything but the reads that resolve it (this module,
the statistics' cells in resolvers/tally.py and the moves' SQL in resolvers/history.py; the
model's default manager hides it), as an alias of the source its records moved to (`merged_into_id`), or of
none after a delete without replacement. A record's stored `source_id` and `first_source_id`
mean the source they name when it is live, else what its alias names. Aliases always name a
live source or none: retiring a source re-points the aliases of it, so resolving is one step.

- Reads resolve: `resolved_sources` (the records' source fields), `fold` (statistics and usage,
  which count by stored id and add an alias's counts to its source's), `stored_ids` and
  `aliases_meaning` (the stored ids that mean some sources: filters, usage and bulk moves).
- Writes compare what rows mean, not what they store (resolvers/history.py): an edit or
  applying a company's source stores a live id on the rows whose source it changes, and leaves
  the others as they are; a bulk move off a source writes no source id at all, only the
  history and `updatedAt`.
- A retired source's name is free again (its `name_key` becomes one no name can have), its
  id answers NOT_FOUND, and history entries naming it read as null, as for a deleted source.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from uuid import UUID

from tortoise.expressions import Q

from models import Account, Source
from resolvers.ids import as_uuid, as_uuid_or_none
from resolvers.locks import HeldSource, share_source

Aliases = Mapping[UUID, UUID | None]  # retired source id -> the live source it means, or None


async def aliases_of(account: Account) -> dict[UUID, UUID | None]:
    """The account's retired sources and what each means: one indexed read of a small table."""
    rows = await Source.all_objects.filter(account=account, retired_at__isnull=False).values_list(
        "id", "merged_into_id"
    )
    return {as_uuid(pk): as_uuid_or_none(into) for pk, into in rows}


def fold(stored: object, aliases: Aliases) -> UUID | None:
    """The live source a stored id means (None: no source)."""
    key = as_uuid_or_none(stored)
    if key is None:
        return None
    return aliases.get(key, key)


def aliases_meaning(ids: Collection[UUID], aliases: Aliases) -> dict[UUID, UUID]:
    """The aliases that mean one of the live sources `ids`, each with the one it means."""
    return {pk: into for pk, into in aliases.items() if into is not None and into in ids}


def stored_ids(ids: Collection[UUID], aliases: Aliases) -> list[UUID]:
    """The stored ids that mean one of the live sources `ids`: themselves and their aliases."""
    return [*ids, *aliases_meaning(ids, aliases)]


def meaning_none(aliases: Aliases) -> list[UUID]:
    """The stored ids that mean no source (besides null): aliases of sources deleted without replacement."""
    return [pk for pk, into in aliases.items() if into is None]


def on_sources_q(ids: Sequence[UUID], aliases: Aliases) -> Q:
    """Records whose source is one of `ids` (a filter's Q): the stored ids that mean one of them.
    A retired id among `ids` means nothing any more, as an unknown one."""
    live = {pk for pk in ids if pk not in aliases}
    return Q(source_id__in=stored_ids(live, aliases))


def without_source_q(aliases: Aliases) -> Q:
    """Records without a source."""
    gone = meaning_none(aliases)
    return Q(source_id__isnull=True) | Q(source_id__in=gone) if gone else Q(source_id__isnull=True)


async def resolved_sources(account: Account, ids: Sequence[UUID]) -> list[Source | None]:
    """The live source each stored id means, in the order of `ids`: a DataLoader's batch, in
    two statements when some of them are aliases, one otherwise. Read again when a merge
    retired a target between the two (its aliases then name the new one)."""
    wanted = list({pk for pk in ids})
    found: dict[UUID, Source | None] = {}
    for _ in range(3):
        rows = await Source.all_objects.filter(account=account, id__in=wanted) if wanted else []
        live = {as_uuid(s.id): s for s in rows if s.retired_at is None}
        means = {as_uuid(s.id): as_uuid_or_none(s.merged_into_id) for s in rows if s.retired_at is not None}
        missing = {into for into in means.values() if into is not None and into not in live}
        if missing:
            targets = await Source.filter(account=account, id__in=list(missing))
            live.update((as_uuid(s.id), s) for s in targets)
        found = {**{pk: live.get(into) if into else None for pk, into in means.items()}, **live}
        if missing <= live.keys():
            break
    return [found.get(as_uuid(pk)) for pk in ids]


async def retire(account: Account, ids: Iterable[UUID], *, into: UUID | None, at: datetime) -> None:
    """Retires the live sources `ids` as aliases of `into` (None: of no source); the aliases of
    them follow. The caller holds them locked (resolvers/locks.py)."""
    retiring = list(ids)
    await Source.all_objects.filter(account=account, merged_into_id__in=retiring).update(merged_into_id=into)
    for pk in retiring:
        # a control character never survives the name rule (resolvers/text.py): no name has this key
        await Source.filter(account=account, id=pk).update(
            retired_at=at, merged_into_id=into, name_key=f"\x1fretired {pk}"
        )


async def share_meant(account: Account, stored: UUID | None) -> HeldSource | None:
    """The live source a stored id means, held (FOR KEY SHARE) until the end; None for none.
    Resolved again when a merge or a delete retired that source between the read and the lock."""
    for _ in range(3):
        if stored is None:
            return None
        meant = fold(stored, await _meaning(account, stored))
        if meant is None:
            return None
        held = await share_source(account, meant)
        if held is not None:
            return held
    return None


async def _meaning(account: Account, stored: UUID) -> dict[UUID, UUID | None]:
    rows = await Source.all_objects.filter(account=account, id=stored, retired_at__isnull=False).values_list(
        "merged_into_id", flat=True
    )
    return {stored: as_uuid_or_none(rows[0])} if rows else {}
