"""Tortoise models: one per file; this package is the Tortoise app ``models``."""

from models.account import Account
from models.api_token import ApiToken
from models.company import Company
from models.deal import Deal, DealStatus
from models.person import Person
from models.source import Source
from models.source_change import RecordKind, SourceChange, SourceChangeReason, SourceOrigin
from models.user import Role, User

__all__ = [
    "Account",
    "ApiToken",
    "Company",
    "Deal",
    "DealStatus",
    "Person",
    "RecordKind",
    "Role",
    "Source",
    "SourceChange",
    "SourceChangeReason",
    "SourceOrigin",
    "User",
]
