"""PostgreSQL notifies ``principals_changed`` when anything a caller is made
of changes: an API key (created, revoked, re-assigned; not its last use), a
user, a membership, a project's organization, an organization deleted.
Processes keeping callers (services/principal_cache.py) forget them on it.
Statement-level triggers: one notification per statement, delivered when its
transaction commits (PostgreSQL folds repeats within a transaction). SQLite
has no notifications: nothing is kept there, and nothing is made."""

from tortoise import migrations
from tortoise.migrations import operations as ops

FUNCTION = """
CREATE OR REPLACE FUNCTION notify_principals_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('principals_changed', TG_TABLE_NAME);
    RETURN NULL;
END
$$
"""

# table: the changes that matter
TRIGGERS = {
    "api_keys": "INSERT OR DELETE OR TRUNCATE OR UPDATE OF revoked_at, user_id, organization_id, secret_hash",
    "users": "DELETE OR TRUNCATE OR UPDATE",
    "org_memberships": "INSERT OR DELETE OR TRUNCATE OR UPDATE",
    "project_memberships": "INSERT OR DELETE OR TRUNCATE OR UPDATE",
    "projects": "DELETE OR TRUNCATE OR UPDATE OF organization_id",
    "organizations": "DELETE OR TRUNCATE",
}


class OnPostgreSQL(ops.RunSQL):
    """RunSQL on PostgreSQL only."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor is not None and state_editor.DIALECT == "postgres":
            await super().database_forward(app_label, old_state, new_state, state_editor)

    async def database_backward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor is not None and state_editor.DIALECT == "postgres":
            await super().database_backward(app_label, old_state, new_state, state_editor)


class Migration(migrations.Migration):
    dependencies = [('models', '0007_bound_credentials')]

    initial = False

    operations = [
        OnPostgreSQL(
            [FUNCTION]
            + [
                f'CREATE TRIGGER "principals_changed" AFTER {events} ON "{table}" '
                "FOR EACH STATEMENT EXECUTE FUNCTION notify_principals_changed()"
                for table, events in TRIGGERS.items()
            ],
            reverse_sql=[f'DROP TRIGGER IF EXISTS "principals_changed" ON "{table}"' for table in TRIGGERS]
            + ["DROP FUNCTION IF EXISTS notify_principals_changed()"],
        ),
    ]
