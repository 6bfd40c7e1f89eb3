from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields, timezone
from tortoise.indexes import Index
from tortoise.models import Model

from models.keys import uuid7
from models.source_change import SourceOrigin

if TYPE_CHECKING:
    from models.account import Account
    from models.source import Source
    from models.user import User


class Company(Model):
    id = fields.UUIDField(primary_key=True, default=uuid7)  # time-ordered (models/keys.py)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="companies", on_delete=fields.CASCADE, db_index=False
    )
    name = fields.CharField(max_length=200)
    name_folded = fields.TextField(default="", db_default="")  # what search matches (resolvers/search.py)
    source: fields.ForeignKeyNullableRelation[Source] = fields.ForeignKeyField(
        "models.Source", related_name="companies", null=True, on_delete=fields.SET_NULL
    )
    # attribution (resolvers/assignment.py): how the source was set, and the first source ever
    source_origin = fields.CharEnumField(SourceOrigin, max_length=9, null=True)  # null without a source
    first_source: fields.ForeignKeyNullableRelation[Source] = fields.ForeignKeyField(
        "models.Source", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=False
    )
    first_source_at = fields.DatetimeField(null=True)  # kept when the first source is deleted
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="companies", on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(default=timezone.now)
    updated_at = fields.DatetimeField(default=timezone.now)  # set by every update (resolvers/records.py)

    account_id: str
    source_id: str | None
    first_source_id: str | None
    owner_id: str

    class Meta:
        table = "company"
        # *_by_source serves statistics and source filters from the index alone, with or
        # without an owner filter; *_owner is the narrower path when few owners are asked for.
        indexes = (
            # keyset pagination, newest first
            Index(fields=("account_id", "created_at", "id"), name="company_page"),
            # keyset pagination in update order (sync: orderBy UPDATED_FIRST_TO_LAST, updatedFrom)
            Index(fields=("account_id", "updated_at", "id"), name="company_updated"),
            Index(fields=("account_id", "source_id", "created_at", "owner_id"), name="company_by_source"),
            Index(fields=("account_id", "owner_id", "source_id", "created_at"), name="company_owner"),
            # the same two for statistics by first touch (attribution: FIRST_TOUCH)
            Index(
                fields=("account_id", "first_source_id", "created_at", "owner_id"),
                name="company_by_first_source",
            ),
            Index(
                fields=("account_id", "owner_id", "first_source_id", "created_at"),
                name="company_first_owner",
            ),
            # the records on a source by the source alone: the statistics' bare per-source
            # counts read it (resolvers/tally.py), and deleting an account's sources makes the
            # database find their records (ON DELETE SET NULL), else a scan per source
            Index(fields=("source_id",), name="company_source_fk"),
            # the same for the first source (ON DELETE SET NULL): without ANALYZE statistics
            # SQLite (and PostgreSQL always) would otherwise scan the table per source
            Index(fields=("first_source_id",), name="company_first_source_fk"),
        )
