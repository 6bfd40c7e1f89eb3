from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

# Statistics by first touch for a few owners: the same owner-led path as by the current source
# (*_owner), so FIRST_TOUCH with userIds reads only those owners' index entries.


class Migration(migrations.Migration):
    dependencies = [('models', '0007_sync')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Company',
            index=Index(fields=['account_id', 'owner_id', 'first_source_id', 'created_at'], name='company_first_owner'),
        ),
        ops.AddIndex(
            model_name='Deal',
            index=Index(
                fields=['account_id', 'owner_id', 'first_source_id', 'created_at', 'status', 'value_cents'],
                name='deal_first_owner',
            ),
        ),
        ops.AddIndex(
            model_name='Person',
            index=Index(fields=['account_id', 'owner_id', 'first_source_id', 'created_at'], name='person_first_owner'),
        ),
    ]
