"""The text rules: normalisation, refused characters, length limits, and the folded keys behind
uniqueness ("Website" = "WEBSITE") and search ("öko" finds "Öko Bau").

Every name, title and email is NFC-normalised and trimmed, then checked: 1..limit characters
(counted after normalisation, as the database counts them) and none of the refused characters
below. Texts are stored as normalised; keys are `fold()`ed (NFKC + casefold).
"""

from __future__ import annotations

import hashlib
import unicodedata

from resolvers.errors import BadUserInput

NAME_MAX = 100
TITLE_MAX = 200
EMAIL_MAX = 254

# the unique keys (source.name_key, app_user.email_key) are VARCHAR(254) or wider
KEY_MAX = 254
_KEY_DIGEST = 64  # hex characters of SHA-256
_KEY_JOIN = "\x1f"  # a control character: refused in every text, so never part of a short key

# control characters (NUL, BEL, …), lone surrogates, line and paragraph separators
CONTROL = {"Cc", "Cs", "Zl", "Zp"}
# format characters: zero-width spaces and joiners, BOM, bidi controls, soft hyphen, tags, …
FORMAT = "Cf"
# invisible characters outside Cf that render as nothing (or as a blank letter)
INVISIBLE = {
    "\u034f",  # combining grapheme joiner
    "\u115f", "\u1160", "\u3164", "\uffa0",  # Hangul fillers
    "\u17b4", "\u17b5",  # Khmer inherent vowels
    "\u180b", "\u180c", "\u180d", "\u180f",  # Mongolian free variation selectors
}  # fmt: skip

ZWJ = "\u200d"
BLACK_FLAG = "\U0001f3f4"
CANCEL_TAG = "\U000e007f"


def fold(text: str) -> str:
    """NFKC + casefold: "Ärzte", "ärzte", "ÄRZTE" and "ＡＲＺＴＥ" fold alike, "Straße" to "strasse"."""
    return unicodedata.normalize("NFKC", text).casefold()


def name_key(name: str) -> str:
    """The uniqueness key: the folded name, so one unique index decides "unique ignoring case".

    A fold can be 18 times longer than its text ("ﷺ" is 18 letters): a key longer than KEY_MAX
    keeps its beginning and ends with a SHA-256 digest of the whole key, so it fits its column
    and equal names still share one key.
    """
    return bounded_key(fold(name))


def bounded_key(key: str) -> str:
    """A folded key cut to KEY_MAX characters: its beginning, then a digest of all of it."""
    if len(key) <= KEY_MAX:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return key[: KEY_MAX - _KEY_DIGEST - 1] + _KEY_JOIN + digest


def search_key(text: str | None) -> str:
    """What `search` matches against: the folded text, stored next to each searchable column."""
    return fold(text or "")


def clean_text(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    """NFC-normalised, trimmed text of 1..max_length characters (0.. when not required), with no
    control or invisible characters (see `refused_character`)."""
    value = unicodedata.normalize("NFC", value).strip()
    if required and not value:
        raise BadUserInput(f"{field} must not be blank", field=field)
    if len(value) > max_length:
        raise BadUserInput(f"{field} must be at most {max_length} characters", field=field)
    if (refused := refused_character(value)) is not None:
        raise BadUserInput(
            f"{field} must not contain control or invisible characters (U+{ord(refused):04X})", field=field
        )
    return value


def refused_character(text: str) -> str | None:
    """The first character that may not appear in a name, title or email, or None.

    Refused: control characters, lone surrogates, line and paragraph separators (Unicode
    categories Cc, Cs, Zl, Zp); every format character (Cf: zero-width space U+200B, joiners
    U+200C/U+200D, word joiner U+2060, BOM U+FEFF, bidi marks and controls U+200E/F,
    U+202A-U+202E, U+2066-U+2069, soft hyphen U+00AD, …); and the invisible fillers in
    INVISIBLE. Emoji stay whole: a zero-width joiner between two emoji ("👩‍💻", "🏳️‍🌈") and
    the tag characters of a flag ("🏴󠁧󠁢󠁳󠁣󠁴󠁿") are accepted.
    """
    for i, ch in enumerate(text):
        category = unicodedata.category(ch)
        if category in CONTROL or ch in INVISIBLE:
            return ch
        if category == FORMAT and not (_joins_emoji(text, i) or _in_flag_tags(text, i)):
            return ch
    return None


def _is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) == "So"


def _is_emoji_suffix(ch: str) -> bool:
    """Variation selectors and skin-tone modifiers that may follow an emoji before a joiner."""
    return ch in "\ufe0e\ufe0f" or "\U0001f3fb" <= ch <= "\U0001f3ff"


def _joins_emoji(text: str, i: int) -> bool:
    if text[i] != ZWJ or i + 1 >= len(text) or not _is_emoji(text[i + 1]):
        return False
    before = i - 1
    while before >= 0 and _is_emoji_suffix(text[before]):
        before -= 1
    return before >= 0 and _is_emoji(text[before])


def _in_flag_tags(text: str, i: int) -> bool:
    """Tag characters U+E0020-U+E007F right after a black flag: the flags of England, Scotland, Wales."""
    if not "\U000e0020" <= text[i] <= CANCEL_TAG:
        return False
    start = i
    while start > 0 and "\U000e0020" <= text[start - 1] < CANCEL_TAG:
        start -= 1
    return start > 0 and text[start - 1] == BLACK_FLAG


def normalise_name(value: str, *, field: str = "name") -> tuple[str, str]:
    """The one name rule for sources: the cleaned name (1-100 characters) and its uniqueness key."""
    name = clean_text(value, field=field, max_length=NAME_MAX)
    return name, name_key(name)


def clean_email(value: str, *, field: str = "email") -> str:
    email = clean_text(value, field=field, max_length=EMAIL_MAX)
    local, at, domain = email.rpartition("@")
    if not at or not local or "." not in domain or any(ch.isspace() for ch in email):
        raise BadUserInput(f"{field} is not a valid email address", field=field)
    return email
