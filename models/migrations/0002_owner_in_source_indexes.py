from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name='Company',
            name='company_source',
            fields=None,
        ),
        ops.AddIndex(
            model_name='Company',
            index=Index(fields=['account_id', 'source_id', 'created_at', 'owner_id'], name='company_by_source'),
        ),
        ops.RemoveIndex(
            model_name='Deal',
            name='deal_source',
            fields=None,
        ),
        ops.AddIndex(
            model_name='Deal',
            index=Index(fields=['account_id', 'source_id', 'created_at', 'status', 'value_cents', 'owner_id'], name='deal_by_source'),
        ),
        ops.RemoveIndex(
            model_name='Person',
            name='person_source',
            fields=None,
        ),
        ops.AddIndex(
            model_name='Person',
            index=Index(fields=['account_id', 'source_id', 'created_at', 'owner_id'], name='person_by_source'),
        ),
    ]
