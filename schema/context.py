"""The per-request context: who is asking, for which account, and the request's DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any
from uuid import UUID

from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from models import Account, Company, Person, Source, User
from resolvers.errors import Unauthenticated
from resolvers.scope import records_by_id
from resolvers.sources import Usage, usage_by_source

if TYPE_CHECKING:
    from starlette.requests import Request


def _loader(model: Any, account: Account) -> DataLoader[UUID, Any]:
    return DataLoader(load_fn=partial(_load_records, model, account))


async def _load_records(model: Any, account: Account, ids: list[UUID]) -> list[Any]:
    return await records_by_id(model, account=account, ids=ids)


@dataclass
class Loaders:
    """Named `<things>_by_<key>`; created per request so nothing is cached across requests."""

    users_by_id: DataLoader[UUID, User | None]
    sources_by_id: DataLoader[UUID, Source | None]
    companies_by_id: DataLoader[UUID, Company | None]
    persons_by_id: DataLoader[UUID, Person | None]
    usage_by_source_id: DataLoader[UUID, Usage]

    @classmethod
    def for_account(cls, account: Account) -> Loaders:
        async def usage(ids: list[UUID]) -> list[Usage]:
            found = await usage_by_source(account=account, source_ids=ids)
            return [found[i] for i in ids]

        return cls(
            users_by_id=_loader(User, account),
            sources_by_id=_loader(Source, account),
            companies_by_id=_loader(Company, account),
            persons_by_id=_loader(Person, account),
            usage_by_source_id=DataLoader(load_fn=usage),
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
