from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields, timezone
from tortoise.manager import Manager
from tortoise.models import Model
from tortoise.queryset import QuerySet

if TYPE_CHECKING:
    from models.account import Account


class LiveSources(Manager):
    """The default manager: a retired source is invisible to every query of the app but those
    that resolve aliases (resolvers/aliases.py reads `Source.all_objects`)."""

    def get_queryset(self) -> QuerySet[Source]:
        return super().get_queryset().filter(retired_at__isnull=True)


# `position` orders the account's list (ties: created_at, id); archived while `archived_at` is set.
# Retired (`retired_at`) by a delete or a merge: the row stays as an alias of `merged_into_id`
# (null: of no source), so the records on it need not be rewritten (resolvers/aliases.py).
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
    retired_at = fields.DatetimeField(null=True)
    merged_into_id = fields.UUIDField(null=True)  # a live source of the account, or null

    all_objects = Manager()

    account_id: str

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    class Meta:
        table = "source"
        unique_together = (("account", "name_key"),)
        manager = LiveSources()
