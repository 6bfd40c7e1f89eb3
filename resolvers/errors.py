"""Domain errors. The GraphQL layer maps each to its `extensions.code` in one place."""

from __future__ import annotations


class DomainError(Exception):
    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"


class Forbidden(DomainError):
    code = "FORBIDDEN"


class NotFound(DomainError):
    code = "NOT_FOUND"


class BadUserInput(DomainError):
    code = "BAD_USER_INPUT"

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message, field=field)


class Conflict(DomainError):
    code = "CONFLICT"


class SourcesDisabled(DomainError):
    code = "SOURCES_DISABLED"


class SourceArchived(DomainError):
    code = "SOURCE_ARCHIVED"


class OutOfTime(DomainError):
    """A write of a request that ran out of time was not begun (an earlier one was kept)."""

    code = "TIMEOUT"
