"""Source colours: "#RRGGBB" in upper case, and the palette a new source takes its colour from.

The palette is Paul Tol's 12-colour qualitative scheme (colour-blind safe; SRON technical note
"Colour Schemes", 2012), in his order. A source created without a colour takes the palette
colour that the fewest of the account's sources (archived ones included) use; ties go to the
earlier colour, so the first twelve sources get the twelve colours in palette order.
The "No source" row of the statistics is Tol's neutral grey, which is not in the palette.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from resolvers.errors import BadUserInput

PALETTE = (
    "#332288",  # indigo
    "#6699CC",  # blue
    "#88CCEE",  # cyan
    "#44AA99",  # teal
    "#117733",  # green
    "#999933",  # olive
    "#DDCC77",  # sand
    "#661100",  # brown
    "#CC6677",  # rose
    "#AA4466",  # raspberry
    "#882255",  # wine
    "#AA4499",  # purple
)
NO_SOURCE_COLOR = "#BBBBBB"

_HEX_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")


def clean_color(value: str, *, field: str = "color") -> str:
    """`#RRGGBB`, any case in, upper case out."""
    if not _HEX_COLOR.fullmatch(value):
        raise BadUserInput(f'{field} must be "#RRGGBB" (six hexadecimal digits)', field=field)
    return value.upper()


def least_used_color(used: Iterable[str]) -> str:
    """The palette colour fewest of `used` are; ties in palette order."""
    counts = Counter(c.upper() for c in used)
    return min(PALETTE, key=lambda colour: (counts[colour], PALETTE.index(colour)))
