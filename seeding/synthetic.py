"""`tributary seed`: fills an existing account with synthetic data, in batches.

Realistic in the ways statistics notice: owners carry uneven shares, sources follow a skewed
(Zipf-like) popularity with ~15% of records without one, most persons belong to a company and
usually share its source, deal values are log-normal with OPEN/WON/LOST statuses, and creation
dates spread over the last two years.

Attribution too: a source copied from the company is INHERITED, others CHOSEN; a few records
were later edited to another source (so their first touch differs) or cleared, at a time
between their creation and now (their `updatedAt`). Each table's history is written from the
rows just loaded, set-based (`history_of`): the creation entry (CREATED or INHERITED) and, for
edited records, the edit, both by the record's owner.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise import timezone

from models import Account, DealStatus, RecordKind, Role, Source, SourceOrigin, User
from models.keys import uuid7
from resolvers.sources import create_source
from resolvers.text import name_key, search_key
from seeding.bulk import (
    analyze,
    history_of,
    indexes_rebuilt_after,
    insert_rows,
    last_rowid,
    prepare_bulk_load,
)
from seeding.names import (
    COMPANY_FORMS,
    COMPANY_KINDS,
    COMPANY_WORDS,
    DEAL_WORDS,
    FIRST_NAMES,
    LAST_NAMES,
    SOURCES,
)

BATCH = 10_000
NO_SOURCE_SHARE = 0.15
EDITED_SHARE = 0.08  # of the records with a source: a user later picked another one
CLEARED_SHARE = 0.03  # … or cleared it
TWO_YEARS = timedelta(days=730)

Progress = Callable[[str, int], None]


@dataclass
class SeedCounts:
    companies: int = 0
    persons: int = 0
    deals: int = 0
    sources: int = 12
    users: int = 5


# the *_folded columns are what search matches (resolvers/search.py), written with their texts
# the attribution columns, as `_Rows.touched` makes them
TOUCHED = ("source_id", "source_origin", "first_source_id", "first_source_at", "updated_at")
COMPANY_COLUMNS = ("id", "account_id", "name", "name_folded", "owner_id", "created_at", *TOUCHED)
PERSON_COLUMNS = (
    "id", "account_id", "first_name", "first_name_folded", "last_name", "last_name_folded", "email",
    "email_folded", "company_id", "owner_id", "created_at", *TOUCHED,
)  # fmt: skip
DEAL_COLUMNS = (
    "id", "account_id", "title", "title_folded", "value_cents", "status", "company_id", "person_id",
    "owner_id", "created_at", *TOUCHED,
)  # fmt: skip
KINDS = {"company": RecordKind.COMPANY, "person": RecordKind.PERSON, "deal": RecordKind.DEAL}
STATUSES = ([DealStatus.OPEN.value, DealStatus.WON.value, DealStatus.LOST.value], (45, 35, 20))


async def seed_account(
    account: Account, counts: SeedCounts, *, progress: Progress | None = None, rng_seed: int = 7
) -> None:
    rng = random.Random(rng_seed)
    rows = _Rows(
        rng=rng,
        account_id=str(account.id),
        owners=await _owners(account, counts.users, rng),
        sources=await _sources(account, counts.sources),
    )
    report = progress or (lambda _table, _n: None)
    await prepare_bulk_load()
    async with indexes_rebuilt_after(("company", "person", "deal", "source_change")):
        await _load("company", COMPANY_COLUMNS, rows.companies(counts.companies), report)
        await _load("person", PERSON_COLUMNS, rows.persons(counts.persons), report)
        await _load("deal", DEAL_COLUMNS, rows.deals(counts.deals), report)
    await analyze()


class _Rows:
    """Row generators; companies come first, persons and deals refer back to them."""

    def __init__(self, *, rng: random.Random, account_id: str, owners: list[str], sources: list[str]) -> None:
        self.rng = rng
        self.account_id = account_id
        self.owners = owners
        self.owner_weights = [1 / (i + 1) for i in range(len(owners))]
        self.sources = sources
        self.source_weights = [1 / (i + 1) ** 1.1 for i in range(len(sources))]
        self.now = timezone.now()
        self.company_ids: list[str] = []
        self.company_sources: list[str | None] = []
        self.company_people: list[list[str]] = []

    def source(self) -> str | None:
        if not self.sources or self.rng.random() < NO_SOURCE_SHARE:
            return None
        return self.rng.choices(self.sources, self.source_weights)[0]

    def owner(self) -> str:
        return self.rng.choices(self.owners, self.owner_weights)[0]

    def created(self, n: int) -> Iterator[datetime]:
        """`n` creation times over the last two years, oldest first: rows are loaded in the order
        the service would have created them, with ids that follow it (models/keys.py)."""
        return iter(sorted(self.now - TWO_YEARS * self.rng.random() for _ in range(n)))

    def key(self, at: datetime) -> str:
        return str(uuid7(at, bits=self.rng.getrandbits))

    def touched(self, source: str | None, at: datetime, *, inherited: bool = False) -> tuple[object, ...]:
        """The TOUCHED columns of a record created at `at` with `source` (copied from its company
        when `inherited`): kept, or later edited to another source or cleared."""
        if source is None:
            return (None, None, None, None, at)
        roll = self.rng.random()
        if roll >= EDITED_SHARE + CLEARED_SHARE or (roll < EDITED_SHARE and len(self.sources) < 2):
            origin = SourceOrigin.INHERITED if inherited else SourceOrigin.CHOSEN
            return (source, origin.value, source, at, at)
        edited = at + (self.now - at) * self.rng.random()
        if roll >= EDITED_SHARE:
            return (None, None, source, at, edited)
        other = self.rng.choice([s for s in self.sources if s != source])
        return (other, SourceOrigin.CHOSEN.value, source, at, edited)

    def some_company(self, share: float) -> int | None:
        return (
            self.rng.randrange(len(self.company_ids))
            if self.company_ids and self.rng.random() < share
            else None
        )

    def companies(self, n: int) -> Iterator[tuple[object, ...]]:
        rng = self.rng
        for at in self.created(n):
            cid, source = self.key(at), self.source()
            self.company_ids.append(cid)
            self.company_sources.append(source)
            self.company_people.append([])
            name = (
                f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)} {rng.choice(COMPANY_FORMS)}".strip()
            )
            yield (cid, self.account_id, name, search_key(name), self.owner(), at, *self.touched(source, at))

    def persons(self, n: int) -> Iterator[tuple[object, ...]]:
        rng = self.rng
        for at in self.created(n):
            pid = self.key(at)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            company = self.some_company(0.8)
            source, inherited = self.source(), False
            if company is not None:
                self.company_people[company].append(pid)
                if rng.random() < 0.6:
                    source, inherited = self.company_sources[company], True
            email = f"{first}.{last}@example.com".lower() if rng.random() < 0.9 else None
            company_id = self.company_ids[company] if company is not None else None
            yield (pid, self.account_id, first, search_key(first), last, search_key(last), email,
                   search_key(email), company_id, self.owner(), at,
                   *self.touched(source, at, inherited=inherited))  # fmt: skip

    def deals(self, n: int) -> Iterator[tuple[object, ...]]:
        rng = self.rng
        for at in self.created(n):
            company = self.some_company(0.85)
            people = self.company_people[company] if company is not None else []
            person = rng.choice(people) if people and rng.random() < 0.7 else None
            inherited = company is not None and rng.random() < 0.7
            source = self.company_sources[company] if inherited and company is not None else self.source()
            value = min(int(rng.lognormvariate(13.0, 1.0)), 10**12)  # cents; median about 4,400.00
            title = f"{rng.choice(COMPANY_WORDS)} {rng.choice(DEAL_WORDS)}"
            status = rng.choices(*STATUSES)[0]
            company_id = self.company_ids[company] if company is not None else None
            yield (self.key(at), self.account_id, title, search_key(title), value, status, company_id,
                   person, self.owner(), at, *self.touched(source, at, inherited=inherited))  # fmt: skip


async def _load(
    table: str, columns: tuple[str, ...], rows: Iterator[tuple[object, ...]], report: Progress
) -> None:
    """`rows` in batches, then their history (set-based, from the loaded rows)."""
    after_rowid = await last_rowid(table)
    ids: list[str] = []
    batch: list[tuple[object, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            await insert_rows(table, columns, batch)
            report(table, len(batch))
            ids.extend(str(r[0]) for r in batch)
            batch = []
    await insert_rows(table, columns, batch)
    report(table, len(batch))
    ids.extend(str(r[0]) for r in batch)
    await history_of(table, KINDS[table], after_rowid=after_rowid, ids=ids)


async def _owners(account: Account, wanted: int, rng: random.Random) -> list[str]:
    users = [
        str(u) for u in await User.filter(account=account).order_by("created_at").values_list("id", flat=True)
    ]
    for n in range(len(users), max(wanted, 1)):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{first}.{last}.{n}@seed.example".lower()
        user = await User.create(
            account=account, name=f"{first} {last}", email=email, email_key=name_key(email), role=Role.USER
        )
        users.append(str(user.id))
    return users


async def _sources(account: Account, wanted: int) -> list[str]:
    """The account's sources of these names, created as an admin would (last, palette colours)."""
    existing = {s.name_key: str(s.id) for s in await Source.filter(account=account)}
    names = [*SOURCES, *(f"Campaign {i}" for i in range(1, max(wanted - len(SOURCES), 0) + 1))][:wanted]
    ids = []
    for name in names:
        key = name_key(name)
        if key not in existing:
            existing[key] = str((await create_source(account=account, name=name)).id)
        ids.append(existing[key])
    return ids
