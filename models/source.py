from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields, timezone
from tortoise.models import Model

if TYPE_CHECKING:
    from models.account import Account


# `position` orders the account's list (ties: created_at, id); archived while `archived_at` is set.
# (No docstring: Tortoise would keep it as the table's description, in the migrations too.)
class Source(Model):
    id = fields.UUIDField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="sources", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    # NFKC-casefolded name; the unique index enforces "unique ignoring case" under races
    name_key = fields.CharField(max_length=400)
    # "#RRGGBB", upper case. The database defaults exist for the migration that added the
    # columns to existing rows (0003); the app always sets both.
    color = fields.CharField(max_length=7, db_default="#332288")
    position = fields.IntField(db_default=0)
    archived_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(default=timezone.now)

    account_id: str

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    class Meta:
        table = "source"
        unique_together = (("account", "name_key"),)
