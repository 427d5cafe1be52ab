from tortoise import migrations
from tortoise.migrations import operations as ops
from graphql_api.domain.ids import new_id
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_download_key')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ApiKeyPair',
            fields=[
                ('id', fields.CharField(primary_key=True, default=new_id, unique=True, db_index=True, max_length=24)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='api_key_pairs', on_delete=OnDelete.CASCADE)),
                ('public_key', fields.CharField(unique=True, max_length=16)),
                ('description', fields.CharField(default='', max_length=128)),
                ('ha1_md5', fields.CharField(max_length=32)),
                ('ha1_sha256', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_key_pairs', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The private key is not kept: only HA1 = H(public:realm:private) per'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DigestNonceUse',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('nonce', fields.CharField(max_length=64)),
                ('nc', fields.CharField(max_length=8)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'digest_nonce_uses', 'app': 'models', 'unique_together': (('nonce', 'nc'),), 'pk_attr': 'id', 'table_description': 'One row per (nonce, nc) accepted: a second use is a replay. Rows are'},
            bases=['Model'],
        ),
    ]
