from __future__ import annotations

from typing import Self

import strawberry

from models import User as UserModel
from resolvers.accounts import create_user, list_users, revoke_user_tokens
from resolvers.auth import require_admin
from schema.context import Info
from schema.enums import Role
from schema.node import Node
from schema.prefetch import Relation


@strawberry.type
class User(Node):
    name: str
    email: str
    role: Role

    @classmethod
    def from_model(cls, user: UserModel) -> Self:
        return cls(id=strawberry.ID(str(user.id)), name=user.name, email=user.email, role=user.role)


@strawberry.input
class CreateUserInput:
    name: str
    email: str
    role: Role = Role.USER


@strawberry.type
class CreateUserPayload:
    user: User
    token: str = strawberry.field(description="The user's bearer token. Shown once, stored only as a hash.")


@strawberry.type
class UserQuery:
    @strawberry.field(description="The caller.")
    def me(self, info: Info) -> User:
        return User.from_model(info.context.user)

    @strawberry.field(description="The users of the caller's account, ordered by name.")
    async def users(self, info: Info) -> list[User]:
        return [User.from_model(u) for u in await list_users(account=info.context.account)]


@strawberry.type
class UserMutation:
    @strawberry.mutation(description="Admin only. The token in the payload is shown once.")
    async def create_user(self, info: Info, input: CreateUserInput) -> CreateUserPayload:
        require_admin(info.context.user)
        user, token = await create_user(
            account=info.context.account, name=input.name, email=input.email, role=input.role
        )
        return CreateUserPayload(user=User.from_model(user), token=token)

    @strawberry.mutation(
        description="Admin only. Revokes every token of the user (the caller's own included): "
        "each fails its next request with UNAUTHENTICATED. Returns how many were revoked. "
        "The user stays; an operator issues a new token with `tributary create-token`."
    )
    async def revoke_user_tokens(self, info: Info, user_id: strawberry.ID) -> int:
        require_admin(info.context.user)
        return await revoke_user_tokens(account=info.context.account, user_id=user_id)


USERS = Relation("users_by_id", User.from_model)
