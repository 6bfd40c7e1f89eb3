"""What the database stores, read back as a client would see it."""

from __future__ import annotations

from models import Source


async def source_meant(stored: object) -> str | None:
    """The source a record's stored source id means, read from the source table: a retired
    source (deleted or merged) stands for the live source it was merged into, or for none."""
    if stored is None:
        return None
    row = await Source.all_objects.get(id=stored)
    if row.retired_at is None:
        return str(row.id)
    return None if row.merged_into_id is None else str(row.merged_into_id)
