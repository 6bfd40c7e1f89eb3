"""Every GraphQL enum, registered once from the Python enum the resolvers use."""

from __future__ import annotations

import strawberry

from models import DealStatus, Role, SourceChangeReason, SourceOrigin
from resolvers.stats import Attribution, ContactKind

strawberry.enum(DealStatus, name="DealStatus")
strawberry.enum(Role, name="Role")
strawberry.enum(ContactKind, name="ContactKind")
strawberry.enum(Attribution, name="Attribution")
strawberry.enum(SourceOrigin, name="SourceOrigin")
strawberry.enum(SourceChangeReason, name="SourceChangeReason")

__all__ = ["Attribution", "ContactKind", "DealStatus", "Role", "SourceChangeReason", "SourceOrigin"]
