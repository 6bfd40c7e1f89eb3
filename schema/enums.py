"""Every GraphQL enum, registered once from the Python enum the resolvers use."""

from __future__ import annotations

import strawberry

from models import DealStatus, Role
from resolvers.stats import ContactKind

strawberry.enum(DealStatus, name="DealStatus")
strawberry.enum(Role, name="Role")
strawberry.enum(ContactKind, name="ContactKind")

__all__ = ["ContactKind", "DealStatus", "Role"]
