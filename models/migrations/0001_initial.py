from tortoise import migrations
from tortoise.migrations import operations as ops
from models.deal import DealStatus
from models.user import Role
from tortoise.fields.base import OnDelete
from tortoise.timezone import now
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Account',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=100)),
                ('sources_enabled', fields.BooleanField(default=False)),
                ('inherit_from_company', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(default=now, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A tenant. Its source settings live here because every write reads them.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Source',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='sources', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('name_key', fields.CharField(max_length=400)),
                ('created_at', fields.DatetimeField(default=now, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'source', 'app': 'models', 'unique_together': (('account', 'name_key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='users', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('email', fields.CharField(max_length=254)),
                ('email_key', fields.CharField(max_length=254)),
                ('role', fields.CharEnumField(default=Role.USER, description='ADMIN: ADMIN\nUSER: USER', enum_type=Role, max_length=5)),
                ('created_at', fields.DatetimeField(default=now, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'app_user', 'app': 'models', 'unique_together': (('account', 'email_key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApiToken',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(default=now, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_token', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A bearer token. Only its SHA-256 digest is stored, the token itself is shown once.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Company',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='companies', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=200)),
                ('source', fields.ForeignKeyField('models.Source', source_field='source_id', null=True, db_constraint=True, to_field='id', related_name='companies', on_delete=OnDelete.SET_NULL)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='companies', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(default=now, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(default=now, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'company', 'app': 'models', 'indexes': [Index(fields=['account_id', 'created_at', 'id'], name='company_page'), Index(fields=['account_id', 'source_id', 'created_at'], name='company_source'), Index(fields=['account_id', 'owner_id', 'source_id', 'created_at'], name='company_owner')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Person',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='persons', on_delete=OnDelete.CASCADE)),
                ('first_name', fields.CharField(max_length=100)),
                ('last_name', fields.CharField(default='', max_length=100)),
                ('email', fields.CharField(null=True, max_length=254)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='persons', on_delete=OnDelete.SET_NULL)),
                ('source', fields.ForeignKeyField('models.Source', source_field='source_id', null=True, db_constraint=True, to_field='id', related_name='persons', on_delete=OnDelete.SET_NULL)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='persons', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(default=now, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(default=now, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'person', 'app': 'models', 'indexes': [Index(fields=['account_id', 'created_at', 'id'], name='person_page'), Index(fields=['account_id', 'source_id', 'created_at'], name='person_source'), Index(fields=['account_id', 'owner_id', 'source_id', 'created_at'], name='person_owner')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Deal',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='deals', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('value_cents', fields.BigIntField(default=0)),
                ('status', fields.CharEnumField(default=DealStatus.OPEN, description='OPEN: OPEN\nWON: WON\nLOST: LOST', enum_type=DealStatus, max_length=4)),
                ('company', fields.ForeignKeyField('models.Company', source_field='company_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='deals', on_delete=OnDelete.SET_NULL)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='deals', on_delete=OnDelete.SET_NULL)),
                ('source', fields.ForeignKeyField('models.Source', source_field='source_id', null=True, db_constraint=True, to_field='id', related_name='deals', on_delete=OnDelete.SET_NULL)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='deals', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(default=now, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(default=now, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'deal', 'app': 'models', 'indexes': [Index(fields=['account_id', 'created_at', 'id'], name='deal_page'), Index(fields=['account_id', 'source_id', 'created_at', 'status', 'value_cents'], name='deal_source'), Index(fields=['account_id', 'owner_id', 'source_id', 'created_at', 'status', 'value_cents'], name='deal_owner')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
