from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.transactions import in_transaction
from tortoise.migrations.constraints import UniqueConstraint



class RemoveUniqueTogether(ops.RemoveConstraint):
    """SQLite keeps unique_together inside CREATE TABLE, where Tortoise cannot
    drop it as an index: there the table is rebuilt without it, the way SQLite
    documents (foreign keys off meanwhile, so dropping the old table cascades
    to no snapshot), and its index made again."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor is None or state_editor.DIALECT != "sqlite":
            await super().database_forward(app_label, old_state, new_state, state_editor)
            return
        model = new_state.apps.get_model(f"{app_label}.{self.model_name}")
        client = state_editor.client
        await client.execute_script("PRAGMA foreign_keys=OFF")
        try:
            async with in_transaction(client.connection_name) as connection:
                state_editor.client = connection
                await state_editor._remake_table(model)
                await connection.execute_script(
                    'CREATE INDEX IF NOT EXISTS "idx_clusters_next_sn_d6b852" '
                    'ON "clusters" ("next_snapshot_at")'
                )
        finally:
            state_editor.client = client
            await client.execute_script("PRAGMA foreign_keys=ON")


class Migration(migrations.Migration):
    dependencies = [('models', '0004_api_key_pairs')]

    initial = False
    # SQLite cannot turn foreign keys off inside a transaction (see RemoveUniqueTogether).
    atomic = False

    operations = [
        # Names are unique among live clusters only (live_name): a deleted one's is free.
        RemoveUniqueTogether(
            model_name='Cluster',
            name=None,
            fields=['project', 'name'],
        ),
        ops.AddField(
            model_name='Cluster',
            name='connection_string',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Cluster',
            name='credentials',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Cluster',
            name='deleted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Cluster',
            name='live_name',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Cluster',
            name='tags',
            field=fields.JSONField(default=list, null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Cluster',
            name='next_expiry_at',
            field=fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False),
        ),
        # AddField does not make a db_index: the name is the one Tortoise would give it.
        ops.RunSQL(
            'CREATE INDEX IF NOT EXISTS "idx_clusters_next_ex_424ed7" ON "clusters" ("next_expiry_at")',
            reverse_sql='DROP INDEX IF EXISTS "idx_clusters_next_ex_424ed7"',
        ),
        # Every cluster so far is live: its name is its live name.
        ops.RunSQL("UPDATE clusters SET live_name = name", reverse_sql="SELECT 1"),
        ops.AddConstraint(
            model_name='Cluster',
            constraint=UniqueConstraint(fields=('project', 'live_name'), name=None),
        ),
    ]
