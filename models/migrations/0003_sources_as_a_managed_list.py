from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# Paul Tol's 12-colour qualitative scheme, as in resolvers/palette.py at the time of writing
# (copied, not imported: a migration must not change when the app's palette does).
PALETTE = (
    "#332288", "#6699CC", "#88CCEE", "#44AA99", "#117733", "#999933",
    "#DDCC77", "#661100", "#CC6677", "#AA4466", "#882255", "#AA4499",
)

# Existing sources keep the order v1 showed (name key, per account): positions 0, 1, 2 … in
# that order, and palette colours in the same order, cycling. Plain SQL that SQLite and
# PostgreSQL both run; `<` on name_key uses the same collation as v1's ORDER BY name_key.
POSITIONS_IN_NAME_ORDER = """
UPDATE source SET position = (
    SELECT COUNT(*) FROM source AS earlier
    WHERE earlier.account_id = source.account_id AND earlier.name_key < source.name_key
)"""
COLOURS_IN_POSITION_ORDER = (
    "UPDATE source SET color = CASE position % 12 "
    + " ".join(f"WHEN {i} THEN '{colour}'" for i, colour in enumerate(PALETTE))
    + " END"
)


class Migration(migrations.Migration):
    dependencies = [('models', '0002_owner_in_source_indexes')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Source',
            name='archived_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Source',
            name='color',
            field=fields.CharField(db_default='#332288', max_length=7),
        ),
        ops.AddField(
            model_name='Source',
            name='position',
            field=fields.IntField(db_default=0),
        ),
        ops.RunSQL([POSITIONS_IN_NAME_ORDER, COLOURS_IN_POSITION_ORDER], reverse_sql=ops.RunSQL.noop),
    ]
