from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_backup_jobs')]

    initial = False

    operations = [
        ops.AddField(
            model_name='BackupJob',
            name='requested_by_key_id',
            field=fields.CharField(null=True, max_length=24),
        ),
    ]
