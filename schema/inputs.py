"""From Strawberry inputs to the resolvers' arguments: "left out" versus explicit null."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

from strawberry.types.maybe import Some

from resolvers.inputs import OMITTED

P = TypeVar("P")


def given(value: Some[Any] | None) -> Any:
    """strawberry.Maybe -> the resolvers' OMITTED marker (None inside Some is an explicit null).

    Typed loosely on purpose: `Some` is invariant, so `Some[ID | None]` would not fit `Some[str | None]`.
    """
    return OMITTED if value is None else value.value


def patch_of(patch_type: type[P], update_input: object) -> P:
    """The resolvers' typed patch from an update input whose fields are all `strawberry.Maybe`."""
    values = {f.name: given(getattr(update_input, f.name)) for f in fields(patch_type)}  # type: ignore[arg-type]
    return patch_type(**values)
