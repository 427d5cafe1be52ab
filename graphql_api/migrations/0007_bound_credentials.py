"""A credential an Organization Owner makes for a member is limited to that
organization: organization_id, NULL for the holder's own credentials (and the
operator's), which act wherever the holder holds roles, as before."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.transactions import in_transaction


class AddForeignKey(ops.AddField):
    """Backward, SQLite keeps a foreign key column Tortoise's remove_field
    rebuild should drop: there the table is rebuilt from the state without it,
    the way SQLite documents (foreign keys off meanwhile, as in 0005)."""

    async def database_backward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor is None or state_editor.DIALECT != "sqlite":
            await super().database_backward(app_label, old_state, new_state, state_editor)
            return
        model = new_state.apps.get_model(f"{app_label}.{self.model_name}")
        client = state_editor.client
        await client.execute_script("PRAGMA foreign_keys=OFF")
        try:
            async with in_transaction(client.connection_name) as connection:
                state_editor.client = connection
                await state_editor._remake_table(model)
        finally:
            state_editor.client = client
            await client.execute_script("PRAGMA foreign_keys=ON")


class Migration(migrations.Migration):
    dependencies = [('models', '0006_tick_indexes')]

    initial = False
    # SQLite cannot turn foreign keys off inside a transaction (see AddForeignKey).
    atomic = False

    operations = [
        AddForeignKey(
            model_name='ApiKey',
            name='organization',
            field=fields.ForeignKeyField('models.Organization', source_field='organization_id', null=True, db_constraint=True, to_field='id', related_name='bound_api_keys', on_delete=OnDelete.CASCADE),
        ),
        AddForeignKey(
            model_name='ApiKeyPair',
            name='organization',
            field=fields.ForeignKeyField('models.Organization', source_field='organization_id', null=True, db_constraint=True, to_field='id', related_name='bound_api_key_pairs', on_delete=OnDelete.CASCADE),
        ),
    ]
