from tortoise import migrations
from tortoise.migrations import operations as ops
from graphql_api.domain.clusters import ClusterState, ClusterTier, ClusterType, NodeRole
from graphql_api.domain.ids import new_id
from graphql_api.domain.locations import StorageLocation
from graphql_api.domain.regions import CloudProvider
from graphql_api.domain.roles import OrgRole, ProjectRole
from graphql_api.models.snapshots import SnapshotStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Organization',
            fields=[
                ('id', fields.CharField(primary_key=True, default=new_id, unique=True, db_index=True, max_length=24)),
                ('name', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'organizations', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Project',
            fields=[
                ('id', fields.CharField(primary_key=True, default=new_id, unique=True, db_index=True, max_length=24)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name='projects', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'projects', 'app': 'models', 'unique_together': (('organization', 'name'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Cluster',
            fields=[
                ('id', fields.CharField(primary_key=True, default=new_id, unique=True, db_index=True, max_length=24)),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='clusters', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=64)),
                ('tier', fields.CharEnumField(description='FLEX: FLEX\nM10: M10\nM20: M20\nM30: M30\nM40: M40\nM50: M50\nM60: M60\nM80: M80\nM140: M140\nM200: M200\nM300: M300', enum_type=ClusterTier, max_length=8)),
                ('cluster_type', fields.CharEnumField(default=ClusterType.REPLICASET, description='REPLICASET: REPLICASET\nSHARDED: SHARDED', enum_type=ClusterType, max_length=16)),
                ('cloud_provider', fields.CharEnumField(description='AWS: AWS\nGCP: GCP\nAZURE: AZURE', enum_type=CloudProvider, max_length=8)),
                ('region', fields.CharField(max_length=32)),
                ('mongodb_version', fields.CharField(max_length=16)),
                ('state', fields.CharEnumField(default=ClusterState.IDLE, description='IDLE: IDLE\nCREATING: CREATING\nUPDATING: UPDATING\nDELETING: DELETING\nREPAIRING: REPAIRING\nRESTORING: RESTORING', enum_type=ClusterState, max_length=16)),
                ('backup_enabled', fields.BooleanField(default=True)),
                ('termination_protection', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('next_snapshot_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'clusters', 'app': 'models', 'unique_together': (('project', 'name'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ClusterNode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('cluster', fields.ForeignKeyField('models.Cluster', source_field='cluster_id', db_constraint=True, to_field='id', related_name='nodes', on_delete=OnDelete.CASCADE)),
                ('hostname', fields.CharField(max_length=255)),
                ('role', fields.CharEnumField(description='PRIMARY: PRIMARY\nSECONDARY: SECONDARY', enum_type=NodeRole, max_length=16)),
                ('healthy', fields.BooleanField(default=True)),
                ('replication_lag_ms', fields.IntField(default=0)),
            ],
            options={'table': 'cluster_nodes', 'app': 'models', 'unique_together': (('cluster', 'hostname'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Snapshot',
            fields=[
                ('id', fields.CharField(primary_key=True, default=new_id, unique=True, db_index=True, max_length=24)),
                ('cluster', fields.ForeignKeyField('models.Cluster', source_field='cluster_id', db_constraint=True, to_field='id', related_name='snapshots', on_delete=OnDelete.CASCADE)),
                ('project_id', fields.CharField(db_index=True, max_length=24)),
                ('scheduled_time', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=SnapshotStatus.QUEUED, description='PENDING: PENDING\nQUEUED: QUEUED\nRUNNING: RUNNING\nFAILED: FAILED\nCOMPLETED: COMPLETED', enum_type=SnapshotStatus, max_length=16)),
                ('start_time', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finish_time', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('expiration', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('mongodb_version', fields.CharField(max_length=16)),
                ('storage_location', fields.CharEnumField(description='AUSTRALIA: AUSTRALIA\nGERMANY: GERMANY\nASIA: ASIA\nUSA: USA\nIRELAND: IRELAND', enum_type=StorageLocation, max_length=16)),
                ('storage_key', fields.CharField(null=True, max_length=255)),
                ('source_node', fields.CharField(null=True, max_length=255)),
                ('size_bytes', fields.BigIntField(null=True)),
                ('sha256', fields.CharField(null=True, max_length=64)),
                ('failure_reason', fields.TextField(null=True, unique=False)),
                ('attempts', fields.IntField(default=0)),
                ('lease_owner', fields.CharField(null=True, max_length=64)),
                ('lease_expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'snapshots', 'app': 'models', 'unique_together': (('cluster', 'scheduled_time'),), 'indexes': [Index(fields=['project_id', 'scheduled_time']), Index(fields=['status', 'lease_expires_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.CharField(primary_key=True, default=new_id, unique=True, db_index=True, max_length=24)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('name', fields.CharField(max_length=128)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'users', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApiKey',
            fields=[
                ('id', fields.CharField(primary_key=True, default=new_id, unique=True, db_index=True, max_length=24)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='api_keys', on_delete=OnDelete.CASCADE)),
                ('description', fields.CharField(default='', max_length=128)),
                ('secret_hash', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_keys', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Only a hash of the secret is kept: the key itself is shown once, at creation.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OrgMembership',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='org_memberships', on_delete=OnDelete.CASCADE)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(description='ORG_OWNER: ORG_OWNER\nORG_MEMBER: ORG_MEMBER', enum_type=OrgRole, max_length=32)),
            ],
            options={'table': 'org_memberships', 'app': 'models', 'unique_together': (('user', 'organization', 'role'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProjectMembership',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='project_memberships', on_delete=OnDelete.CASCADE)),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(description='PROJECT_OWNER: PROJECT_OWNER\nPROJECT_CLUSTER_MANAGER: PROJECT_CLUSTER_MANAGER\nPROJECT_DATA_ACCESS_ADMIN: PROJECT_DATA_ACCESS_ADMIN\nPROJECT_READ_ONLY: PROJECT_READ_ONLY', enum_type=ProjectRole, max_length=32)),
            ],
            options={'table': 'project_memberships', 'app': 'models', 'unique_together': (('user', 'project', 'role'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
