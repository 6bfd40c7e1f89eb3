from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields, timezone
from tortoise.models import Model

if TYPE_CHECKING:
    from models.account import Account


class Role(StrEnum):
    ADMIN = "ADMIN"
    USER = "USER"


class User(Model):
    id = fields.UUIDField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="users", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    email = fields.CharField(max_length=254)
    # casefolded email: the unique index makes "one email per account" race-free
    email_key = fields.CharField(max_length=254)
    role = fields.CharEnumField(Role, max_length=5, default=Role.USER)
    created_at = fields.DatetimeField(default=timezone.now)

    account_id: str

    class Meta:
        table = "app_user"
        unique_together = (("account", "email_key"),)
