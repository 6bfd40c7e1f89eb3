"""The text rules: trimming, length limits and the case-insensitive key behind uniqueness."""

from __future__ import annotations

import unicodedata

from resolvers.errors import BadUserInput

NAME_MAX = 100
TITLE_MAX = 200
EMAIL_MAX = 254

# control characters (NUL, BEL, …) and lone surrogates; format marks (RTL, ZWJ) and emoji are fine
REFUSED = {"Cc", "Cs"}


def name_key(name: str) -> str:
    """NFKC + casefold: "Ärzte", "ärzte" and "ÄRZTE" share one key, so one unique index decides."""
    return unicodedata.normalize("NFKC", name).casefold()


def clean_text(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    """Trimmed text of 1..max_length characters (0.. when not required), no control characters."""
    value = value.strip()
    if required and not value:
        raise BadUserInput(f"{field} must not be blank", field=field)
    if len(value) > max_length:
        raise BadUserInput(f"{field} must be at most {max_length} characters", field=field)
    if any(unicodedata.category(ch) in REFUSED for ch in value):
        raise BadUserInput(f"{field} must not contain control characters", field=field)
    return value


def normalise_name(value: str, *, field: str = "name") -> tuple[str, str]:
    """The one name rule for sources: trimmed, 1-100 characters, and its uniqueness key."""
    name = clean_text(value, field=field, max_length=NAME_MAX)
    return name, name_key(name)


def clean_email(value: str, *, field: str = "email") -> str:
    email = clean_text(value, field=field, max_length=EMAIL_MAX)
    local, at, domain = email.rpartition("@")
    if not at or not local or "." not in domain or any(ch.isspace() for ch in email):
        raise BadUserInput(f"{field} is not a valid email address", field=field)
    return email
