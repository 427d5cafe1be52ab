from tortoise import migrations
from tortoise.migrations import operations as ops
from graphql_api.domain.ids import new_id
from graphql_api.models.jobs import AuditOutcome, DeliveryType, JobStatus
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', fields.CharField(primary_key=True, default=new_id, unique=True, db_index=True, max_length=24)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor_id', fields.CharField(db_index=True, max_length=24)),
                ('actor_email', fields.CharField(max_length=254)),
                ('action', fields.CharField(max_length=32)),
                ('project_id', fields.CharField(null=True, db_index=True, max_length=24)),
                ('target', fields.CharField(max_length=255)),
                ('outcome', fields.CharEnumField(description='ALLOWED: ALLOWED\nREFUSED: REFUSED', enum_type=AuditOutcome, max_length=16)),
                ('code', fields.CharField(null=True, max_length=48)),
                ('detail', fields.TextField(default='', unique=False)),
                ('job_id', fields.CharField(null=True, max_length=24)),
            ],
            options={'table': 'audit_events', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Every backup-managing request, allowed or refused: who, what, when, outcome.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BackupJob',
            fields=[
                ('id', fields.CharField(primary_key=True, default=new_id, unique=True, db_index=True, max_length=24)),
                ('delivery_type', fields.CharEnumField(description='RESTORE: RESTORE\nDOWNLOAD: DOWNLOAD', enum_type=DeliveryType, max_length=16)),
                ('status', fields.CharEnumField(description='PENDING: PENDING\nQUEUED: QUEUED\nRUNNING: RUNNING\nFAILED: FAILED\nCOMPLETED: COMPLETED', enum_type=JobStatus, max_length=16)),
                ('project_id', fields.CharField(db_index=True, max_length=24)),
                ('cluster_id', fields.CharField(db_index=True, max_length=24)),
                ('snapshot_id', fields.CharField(db_index=True, max_length=24)),
                ('snapshot_finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('requested_by_id', fields.CharField(max_length=24)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('target_project_id', fields.CharField(null=True, db_index=True, max_length=24)),
                ('target_cluster_id', fields.CharField(null=True, db_index=True, max_length=24)),
                ('target_cluster_name', fields.CharField(null=True, max_length=64)),
                ('active_target_cluster_id', fields.CharField(null=True, unique=True, max_length=24)),
                ('progress_percent', fields.IntField(default=0)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('failure_reason', fields.TextField(null=True, unique=False)),
                ('attempts', fields.IntField(default=0)),
                ('lease_owner', fields.CharField(null=True, max_length=64)),
                ('lease_expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'backup_jobs', 'app': 'models', 'indexes': [Index(fields=['status', 'lease_expires_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SimulatedClusterData',
            fields=[
                ('cluster_id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=24)),
                ('archive', fields.BinaryField()),
                ('restored_from_snapshot_id', fields.CharField(max_length=24)),
                ('restored_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'simulated_cluster_data', 'app': 'models', 'pk_attr': 'cluster_id', 'table_description': "A simulated cluster's data after a restore: the archive it was restored from."},
            bases=['Model'],
        ),
    ]
