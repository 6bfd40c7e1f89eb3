"""Tortoise models: one per file; this package is the Tortoise app ``models``."""

from models.account import Account
from models.api_token import ApiToken
from models.company import Company
from models.deal import Deal, DealStatus
from models.deleted_record import DeletedRecord
from models.person import Person
from models.record_kind import RecordKind
from models.source import Source
from models.source_change import SourceChange, SourceChangeReason, SourceOrigin
from models.user import Role, User

__all__ = [
    "Account",
    "ApiToken",
    "Company",
    "Deal",
    "DealStatus",
    "DeletedRecord",
    "Person",
    "RecordKind",
    "Role",
    "Source",
    "SourceChange",
    "SourceChangeReason",
    "SourceOrigin",
    "User",
]
