"""Indexes that keep a scheduler tick's cost per cluster flat as the fleet grows.

Partial indexes hold only the rows a tick looks for, so they stay as small as
the work in flight whatever the history: the tick's queries repeat each
predicate as a literal (a bound parameter cannot show the planner that the
query implies the index's WHERE). The (status, lease_expires_at) index goes:
without statistics SQLite preferred it to the primary key for a claim's
UPDATE by 500 ids, reading every waiting row for each batch.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0005_cluster_lifecycle')]

    initial = False

    operations = [
        # Waiting and running snapshots in the order claims take them: a claim
        # reads its batch off the front instead of sorting every waiting row.
        ops.RunSQL(
            'CREATE INDEX IF NOT EXISTS "idx_snapshots_waiting" ON "snapshots" '
            '("scheduled_time", "id") WHERE "status" IN (\'QUEUED\', \'RUNNING\')',
            reverse_sql='DROP INDEX IF EXISTS "idx_snapshots_waiting"',
        ),
        ops.RemoveIndex(model_name='Snapshot', fields=['status', 'lease_expires_at']),
        # Clusters still being created, oldest first (settle_creating, every tick).
        ops.RunSQL(
            'CREATE INDEX IF NOT EXISTS "idx_clusters_creating" ON "clusters" '
            '("created_at", "id") WHERE "state" = \'CREATING\' AND "deleted_at" IS NULL',
            reverse_sql='DROP INDEX IF EXISTS "idx_clusters_creating"',
        ),
    ]
