"""Test helpers: send GraphQL through the ASGI app as a given caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from resolvers.accounts import create_account
from tests.documents import CREATE_COMPANY, CREATE_DEAL, CREATE_PERSON, CREATE_SOURCE


@dataclass
class Caller:
    token: str
    user_id: str
    account_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def add_user(self, gql: GQL, name: str, email: str, role: str = "USER") -> Caller:
        data = await gql.ok(
            self,
            """mutation($input: CreateUserInput!) {
                 createUser(input: $input) { token user { id } } }""",
            input={"name": name, "email": email, "role": role},
        )
        payload = data["createUser"]
        return Caller(payload["token"], payload["user"]["id"], self.account_id)


async def make_account(name: str) -> Caller:
    admin, token = await create_account(
        name=name, admin_email=f"admin@{name.lower()}.example", admin_name=f"{name} Admin"
    )
    return Caller(token, str(admin.id), str(admin.account_id))


class GQL:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def __call__(self, who: Caller | None, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers=who.headers if who else {},
        )
        body: dict[str, Any] = response.json()
        body["status"] = response.status_code
        return body

    async def ok(self, who: Caller | None, query: str, **variables: Any) -> dict[str, Any]:
        body = await self(who, query, **variables)
        assert not body.get("errors"), body["errors"]
        assert body["status"] == 200
        data: dict[str, Any] = body["data"]
        return data

    async def error(self, who: Caller | None, query: str, **variables: Any) -> dict[str, Any]:
        """The single error of a failed request."""
        body = await self(who, query, **variables)
        errors = body.get("errors") or []
        assert len(errors) == 1, body
        error: dict[str, Any] = errors[0]
        return error

    async def code(self, who: Caller | None, query: str, **variables: Any) -> str:
        error = await self.error(who, query, **variables)
        code: str = error["extensions"]["code"]
        return code


class Records:
    """Shortcuts that create records through GraphQL and return the created objects."""

    def __init__(self, gql: GQL, who: Caller) -> None:
        self.gql = gql
        self.who = who

    async def source(self, name: str) -> dict[str, Any]:
        return (await self.gql.ok(self.who, CREATE_SOURCE, name=name))["createSource"]

    async def company(self, name: str = "Initech", **fields: Any) -> dict[str, Any]:
        data = await self.gql.ok(self.who, CREATE_COMPANY, input={"name": name, **fields})
        return data["createCompany"]

    async def person(self, first_name: str = "Peter", **fields: Any) -> dict[str, Any]:
        data = await self.gql.ok(self.who, CREATE_PERSON, input={"firstName": first_name, **fields})
        return data["createPerson"]

    async def deal(self, title: str = "Licence", **fields: Any) -> dict[str, Any]:
        data = await self.gql.ok(self.who, CREATE_DEAL, input={"title": title, **fields})
        return data["createDeal"]
