"""Every GraphQL enum, registered once from the Python enum the resolvers use."""

from __future__ import annotations

import strawberry

from models import DealStatus, RecordKind, Role, SourceChangeReason, SourceOrigin
from resolvers.pagination import RecordOrder
from resolvers.periods import Interval
from resolvers.stats import Attribution, ContactKind

strawberry.enum(DealStatus, name="DealStatus")
strawberry.enum(Role, name="Role")
strawberry.enum(ContactKind, name="ContactKind")
strawberry.enum(Attribution, name="Attribution")
strawberry.enum(Interval, name="Interval")
strawberry.enum(RecordOrder, name="RecordOrder", description="The order of a list of records.")
strawberry.enum(RecordKind, name="RecordKind", description="Which kind of record a deleted id was.")
strawberry.enum(SourceOrigin, name="SourceOrigin")
strawberry.enum(SourceChangeReason, name="SourceChangeReason")

__all__ = [
    "Attribution",
    "ContactKind",
    "DealStatus",
    "Interval",
    "RecordKind",
    "RecordOrder",
    "Role",
    "SourceChangeReason",
    "SourceOrigin",
]
