"""The per-request context: who is asking, for which account, and the request's DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any
from uuid import UUID

from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo
from tortoise.models import Model

from models import Account, Company, Person, Source, SourceChange, User
from resolvers.aliases import resolved_sources
from resolvers.errors import Unauthenticated
from resolvers.history import history_counts, history_page, history_pages
from resolvers.pagination import Page, PageRequest
from resolvers.scope import records_by_id
from resolvers.sources import Usage, usage_by_source

if TYPE_CHECKING:
    from starlette.requests import Request


def _loader(model: Any, account: Account) -> DataLoader[UUID, Any]:
    return DataLoader(load_fn=partial(_load_records, model, account))


async def _load_records(model: Any, account: Account, ids: list[UUID]) -> list[Any]:
    return await records_by_id(model, account=account, ids=ids)


async def _live_sources(account: Account, ids: list[UUID]) -> list[Source | None]:
    found = {s.id: s for s in await Source.filter(account=account, id__in=ids)}
    return [found.get(pk) for pk in ids]


HistoryKey = tuple[type[Model], UUID, PageRequest]  # the record's model and id, the page asked for


async def _load_history(
    account: Account, counts: DataLoader[tuple[type[Model], UUID], int], keys: list[HistoryKey]
) -> list[Page[SourceChange]]:
    """Pages without a cursor: one statement per model and page size for the whole batch, their
    totalCount from `counts`; a page from a cursor (paging on through one record's history) is
    read on its own."""
    pages: dict[HistoryKey, Page[SourceChange]] = {}
    batches: dict[tuple[type[Model], PageRequest], list[UUID]] = {}
    for model, record_id, request in keys:
        if request.after is None and request.before is None:
            batches.setdefault((model, request), []).append(record_id)
        else:
            pages[model, record_id, request] = await history_page(
                model, account=account, record_id=record_id, request=request
            )
    for (model, request), record_ids in batches.items():
        found = await history_pages(
            model,
            account=account,
            record_ids=record_ids,
            request=request,
            count=lambda pk, model=model: counts.load((model, pk)),  # type: ignore[misc]
        )
        pages.update(((model, pk, request), page) for pk, page in zip(record_ids, found, strict=True))
    return [pages[key] for key in keys]


async def _count_history(account: Account, keys: list[tuple[type[Model], UUID]]) -> list[int]:
    counts: dict[tuple[type[Model], UUID], int] = {}
    for model in {m for m, _ in keys}:
        found = await history_counts(model, account=account, record_ids=[pk for m, pk in keys if m is model])
        counts.update(((model, pk), n) for pk, n in found.items())
    return [counts[key] for key in keys]


@dataclass
class Loaders:
    """Named `<things>_by_<key>`; created per request so nothing is cached across requests."""

    users_by_id: DataLoader[UUID, User | None]
    sources_by_id: DataLoader[UUID, Source | None]  # live sources only
    record_sources_by_id: DataLoader[UUID, Source | None]  # the source a record's stored id means
    companies_by_id: DataLoader[UUID, Company | None]
    persons_by_id: DataLoader[UUID, Person | None]
    usage_by_source_id: DataLoader[UUID, Usage]
    history_by_record: DataLoader[HistoryKey, Page[SourceChange]]
    history_count_by_record: DataLoader[tuple[type[Model], UUID], int]

    @classmethod
    def for_account(cls, account: Account) -> Loaders:
        async def usage(ids: list[UUID]) -> list[Usage]:
            found = await usage_by_source(account=account, source_ids=ids)
            return [found[i] for i in ids]

        history_counts: DataLoader[tuple[type[Model], UUID], int] = DataLoader(
            load_fn=partial(_count_history, account)
        )
        return cls(
            users_by_id=_loader(User, account),
            sources_by_id=DataLoader(load_fn=partial(_live_sources, account)),
            record_sources_by_id=DataLoader(load_fn=partial(resolved_sources, account)),
            companies_by_id=_loader(Company, account),
            persons_by_id=_loader(Person, account),
            usage_by_source_id=DataLoader(load_fn=usage),
            history_by_record=DataLoader(load_fn=partial(_load_history, account, history_counts)),
            history_count_by_record=history_counts,
        )


@dataclass
class Context:
    """`caller` is None only for an anonymous introspection document, which touches no resolver."""

    request: Request
    caller: User | None

    @property
    def user(self) -> User:
        if self.caller is None:
            raise Unauthenticated("a valid bearer token is required")
        return self.caller

    @property
    def account(self) -> Account:
        return self.user.account

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders.for_account(self.account)


Info = StrawberryInfo[Context, None]
