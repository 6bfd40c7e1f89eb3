""" "Left out" versus explicit null in inputs, without the resolvers knowing about GraphQL.

An update argument typed `X | None | Omitted` is a value, an explicit null, or OMITTED.
"""

from __future__ import annotations

from enum import Enum
from typing import Final, Literal


class _Omitted(Enum):
    OMITTED = "OMITTED"


OMITTED: Final = _Omitted.OMITTED
Omitted = Literal[_Omitted.OMITTED]
