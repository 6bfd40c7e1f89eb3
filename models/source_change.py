from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.record_kind import RecordKind

if TYPE_CHECKING:
    from models.account import Account
    from models.source import Source
    from models.user import User


class SourceOrigin(StrEnum):
    """How a record got its current source: picked by a user, or copied from its company."""

    CHOSEN = "CHOSEN"
    INHERITED = "INHERITED"


class SourceChangeReason(StrEnum):
    CREATED = "CREATED"
    INHERITED = "INHERITED"
    EDITED = "EDITED"
    APPLIED = "APPLIED"
    REPLACED = "REPLACED"
    MERGED = "MERGED"
    DELETED = "DELETED"


def _source_by_id() -> fields.ForeignKeyNullableRelation[Source]:
    """A source named by id without a foreign key: deleting or merging a source leaves the
    entries naming it as they are (no pass over the history to null them); an id whose source
    is gone reads as null (`from`/`to`), and the entry's names keep what it was called."""
    return fields.ForeignKeyField(
        "models.Source",
        related_name=False,
        null=True,
        on_delete=fields.NO_ACTION,
        db_index=False,
        db_constraint=False,
    )


# One change of a record's source (resolvers/history.py writes them). `record_id` is a company,
# person or deal of `record_kind`; names are copies, so an entry reads the same after its
# sources are deleted. The id is an integer: bulk changes insert their entries with one
# INSERT … SELECT, and it breaks ties of `at` in insertion order.
# (No docstring: Tortoise would keep it as the table's description, in the migrations too.)
class SourceChange(Model):
    id = fields.BigIntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name=False, on_delete=fields.CASCADE, db_index=False
    )
    record_kind = fields.CharEnumField(RecordKind, max_length=7)
    record_id = fields.UUIDField()
    at = fields.DatetimeField()
    reason = fields.CharEnumField(SourceChangeReason, max_length=9)
    # no index: users are never deleted by the API, so ON DELETE SET NULL has nothing to find fast
    by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=False
    )
    # the sources before and after, by id without a foreign key (`_source_by_id`)
    from_source: fields.ForeignKeyNullableRelation[Source] = _source_by_id()
    from_name = fields.CharField(max_length=100, null=True)
    to_source: fields.ForeignKeyNullableRelation[Source] = _source_by_id()
    to_name = fields.CharField(max_length=100, null=True)

    account_id: str
    by_id: str | None
    from_source_id: str | None
    to_source_id: str | None

    class Meta:
        table = "source_change"
        indexes = (
            # a record's history, newest first, in keyset pages; deleting a record deletes it
            Index(fields=("record_id", "at", "id"), name="source_change_history"),
        )
