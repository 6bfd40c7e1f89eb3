from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_text_keys_and_tokens')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Company',
            index=Index(fields=['source_id'], name='company_source_fk'),
        ),
        ops.AddIndex(
            model_name='Deal',
            index=Index(fields=['source_id'], name='deal_source_fk'),
        ),
        ops.AddIndex(
            model_name='Person',
            index=Index(fields=['source_id'], name='person_source_fk'),
        ),
    ]
