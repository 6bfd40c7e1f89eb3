from tortoise import fields, migrations
from tortoise.migrations import operations as ops

# Deleting or merging a source retires it instead of rewriting the records on it: the row stays
# as an alias of the source its records moved to (`merged_into_id`; null: of none), and reads
# resolve a record's stored source through it (resolvers/aliases.py). Existing sources are live.


class Migration(migrations.Migration):
    dependencies = [('models', '0009_history_without_source_keys')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Source',
            name='retired_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Source',
            name='merged_into_id',
            field=fields.UUIDField(null=True),
        ),
    ]
