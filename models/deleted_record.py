from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.record_kind import RecordKind

if TYPE_CHECKING:
    from models.account import Account


class DeletedRecord(Model):
    """A tombstone: a company, person or deal that was deleted, and when (resolvers/deletions.py)."""

    id = fields.UUIDField(primary_key=True)  # the deleted record's id
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="deleted_records", on_delete=fields.CASCADE, db_index=False
    )
    kind = fields.CharEnumField(RecordKind, max_length=7)
    deleted_at = fields.DatetimeField()

    account_id: str

    class Meta:
        table = "deleted_record"
        indexes = (
            # deletedRecords: keyset pages, oldest first, and the account's own pruning
            Index(fields=("account_id", "deleted_at", "id"), name="deleted_record_page"),
            # pruning every account's old tombstones at start-up
            Index(fields=("deleted_at",), name="deleted_record_age"),
        )
