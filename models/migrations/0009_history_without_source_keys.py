# History entries name their sources by id without a foreign key: deleting or merging a source
# no longer rewrites every entry that names it (ON DELETE SET NULL), so the two indexes that
# served that lookup go too. An id whose source is gone reads as null, as a nulled one did.
#
# Tortoise's AlterField cannot drop a foreign key on SQLite (its table rebuild keeps the
# REFERENCES clause and loses the other indexes), so the fields change in the migration state
# only and `drop_source_keys` changes the database: one ALTER TABLE per key on PostgreSQL, one
# rebuild of the table on SQLite.

import re

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

class AlterFieldState(ops.AlterField):
    """AlterField in the migration state only; the database is changed by `drop_source_keys`
    (and is not changed back when this migration is reversed: the keys stay dropped)."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        return None

    async def database_backward(self, app_label, old_state, new_state, state_editor=None):
        return None


async def drop_source_keys(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        # only from_source_id and to_source_id refer to source in this table
        constraints = await client.execute_query_dict(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'source_change'::regclass "
            "AND contype = 'f' AND confrelid = 'source'::regclass"
        )
        for row in constraints:
            await client.execute_query(f'ALTER TABLE "source_change" DROP CONSTRAINT "{row["conname"]}"')
        return
    # SQLite: the table again without those REFERENCES clauses, its rows, indexes and id
    # sequence copied. execute_query, not execute_script: Python's executescript() commits
    # first, and this must stay inside the migration's transaction (all or nothing, and no
    # write of a running server between the copy and the drop).
    objects = await client.execute_query_dict(
        "SELECT type, sql FROM sqlite_master WHERE tbl_name = 'source_change' AND sql IS NOT NULL"
    )
    table = next(o["sql"] for o in objects if o["type"] == "table")
    indexes = [o["sql"] for o in objects if o["type"] == "index"]
    # only from_source_id and to_source_id refer to "source" in this table
    reference = r'\s+REFERENCES "source" \("id"\)(\s+ON DELETE (SET NULL|NO ACTION|RESTRICT|CASCADE))?'
    table = re.sub(reference, "", table)
    if 'REFERENCES "source"' in table:
        raise RuntimeError("source_change: unexpected table definition, not migrated")
    columns = ", ".join(
        f'"{row["name"]}"' for row in await client.execute_query_dict("PRAGMA table_info('source_change')")
    )
    sequence = await client.execute_query_dict("SELECT seq FROM sqlite_sequence WHERE name = 'source_change'")
    rebuilt = table.replace('CREATE TABLE "source_change"', 'CREATE TABLE "source_change_rebuilt"', 1)
    await client.execute_query(rebuilt)
    await client.execute_query(
        f'INSERT INTO "source_change_rebuilt" ({columns}) SELECT {columns} FROM "source_change"'
    )
    await client.execute_query('DROP TABLE "source_change"')
    await client.execute_query('ALTER TABLE "source_change_rebuilt" RENAME TO "source_change"')
    for index in indexes:
        await client.execute_query(index)
    # the id sequence goes on from where it was: ids of deleted newest entries are not reused
    last = max([0, *(row["seq"] for row in sequence)])
    await client.execute_query("DELETE FROM sqlite_sequence WHERE name = 'source_change'")
    await client.execute_query(
        "INSERT INTO sqlite_sequence (name, seq) "
        "SELECT 'source_change', MAX(?, COALESCE(MAX(id), 0)) FROM source_change",
        [last],
    )


def _key(column: str) -> fields.ForeignKeyField:
    return fields.ForeignKeyField(
        "models.Source",
        source_field=column,
        null=True,
        db_constraint=False,
        to_field="id",
        related_name=False,
        on_delete=OnDelete.NO_ACTION,
    )


class Migration(migrations.Migration):
    dependencies = [("models", "0008_owner_first_source_indexes")]

    initial = False

    operations = [
        ops.RemoveIndex(model_name="SourceChange", name="source_change_from_fk", fields=None),
        ops.RemoveIndex(model_name="SourceChange", name="source_change_to_fk", fields=None),
        AlterFieldState(model_name="SourceChange", name="from_source", field=_key("from_source_id")),
        AlterFieldState(model_name="SourceChange", name="to_source", field=_key("to_source_id")),
        ops.RunPython(drop_source_keys, ops.RunPython.noop),
    ]
