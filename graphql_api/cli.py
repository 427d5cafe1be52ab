"""Command line: ``graphql-api`` (or ``python -m graphql_api``)."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from tortoise import Tortoise

from graphql_api.clock import utc_now
from graphql_api.db import tortoise_config
from graphql_api.domain.roles import OrgRole, ProjectRole
from graphql_api.services.errors import ServiceError
from graphql_api.services.paging import ONE_LIST
from graphql_api.settings import Settings, get_settings

if TYPE_CHECKING:
    from graphql_api.domain.clusters import ResourceTag
    from graphql_api.models import Cluster
    from graphql_api.services.authentication import Principal
    from graphql_api.services.cluster_lifecycle import Connection
    from graphql_api.services.paging import Listing

T = TypeVar("T")


def startable_settings() -> Settings:
    """The settings, or exit with one line saying what production lacks."""
    settings = get_settings()
    if problems := settings.production_problems():
        raise click.ClickException(" ".join(problems))
    return settings


def run_with_orm(work: Callable[[], Awaitable[T]]) -> T:
    """Run one async use case with the ORM up, then close it."""

    async def main() -> T:
        await Tortoise.init(config=tortoise_config(get_settings().database_url))
        try:
            return await work()
        finally:
            await Tortoise.close_connections()

    try:
        return asyncio.run(main())
    except ServiceError as exc:
        raise click.ClickException(f"{exc.code}: {exc.message}") from None


@click.group()
def main() -> None:
    """Backup control plane for managed MongoDB Flex clusters."""


@main.command()
@click.option("--host", default=None, help="Default: HOST setting (127.0.0.1).")
@click.option("--port", type=int, default=None, help="Default: PORT setting (8000).")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes; on a small machine shared with the database, 1 serves best.",
)
@click.option(
    "--access-log/--no-access-log",
    default=None,
    help="Log every request. Default: on in development, off in production.",
)
def serve(host: str | None, port: int | None, workers: int, access_log: bool | None) -> None:
    """Serve the API (GraphiQL at /graphql)."""
    import uvicorn

    settings = startable_settings()
    if workers > 1 and settings.database_url.startswith("sqlite"):
        raise click.UsageError(
            "SQLite serves one process: run one worker, or set DATABASE_URL to "
            "PostgreSQL (postgres://...) for more (several processes on one SQLite "
            "file would not see each other's row locks)."
        )
    uvicorn.run(
        "graphql_api.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=settings.log_level.lower(),
        access_log=settings.environment != "production" if access_log is None else access_log,
        proxy_headers=True,
    )


@main.command()
@click.option("--ready", is_flag=True, help="Check /readyz (database and storage) too.")
def healthcheck(ready: bool) -> None:
    """Exit 0 when the server on this machine answers (the container health check)."""
    import urllib.error
    import urllib.request

    settings = get_settings()
    path = "/readyz" if ready else "/healthz"
    url = f"http://127.0.0.1:{settings.port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            click.echo(f"{path}: {response.status}")
    except (urllib.error.URLError, OSError) as exc:
        raise click.ClickException(f"{url}: {exc}") from exc


@main.command()
def migrate() -> None:
    """Apply database migrations (creates the SQLite file if needed)."""
    from tortoise.context import TortoiseContext
    from tortoise.migrations.api import migrate as apply_migrations

    config = tortoise_config(get_settings().database_url)

    async def work() -> None:
        async with TortoiseContext() as ctx:
            await ctx.init(config=config)
            await apply_migrations(config=config)

    asyncio.run(work())
    click.echo("Database is up to date.")


@main.command("seed-demo")
def seed_demo() -> None:
    """Create (or refresh) the demo organization and print fresh API keys."""
    from graphql_api.demo import seed_demo as seed

    settings = get_settings()
    result = run_with_orm(lambda: seed(settings))
    click.echo(result.render(settings))


# Accounts: organizations, projects, members, API keys. Each command calls the
# service the GraphQL mutation calls, as the operator or as --as-email's user.


def as_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--as-email", "as_email", default=None,
        help="Act as this user (their roles apply); default: the operator, who may do anything.",
    )(command)  # fmt: skip


async def acting(as_email: str | None) -> Principal:
    from graphql_api.services.accounts import find_user
    from graphql_api.services.authentication import load_principal, operator_principal

    if as_email is None:
        return operator_principal()
    user = await find_user(as_email)
    if user is None:
        raise ServiceError(f"No user with email {as_email!r}.", code="NOT_FOUND")
    return await load_principal(user)


def json_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")(command)


def print_rows(rows: list[dict[str, object]], as_json: bool) -> None:
    """A table for people, or JSON (one array of objects) for programs."""
    if as_json:
        click.echo(json.dumps(rows, default=str, indent=2))
        return
    if not rows:
        click.echo("(none)")
        return
    columns = list(rows[0])
    text = [[("" if row[c] is None else str(row[c])) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in text)) for i, c in enumerate(columns)]
    click.echo("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)))
    for r in text:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())


async def every_row(listing: Listing[Any], parent: str) -> list[Any]:
    """All rows of one parent's list, page by page (the API's own paging)."""
    from graphql_api.services.paging import PageRequest, read_pages

    rows: list[Any] = []
    after = None
    while True:
        page = (await read_pages(listing, [parent], PageRequest(first=100, after=after)))[parent]
        rows += page.items
        if not page.has_next_page:
            return rows
        after = page.cursors[-1]


@main.command("create-organization")
@click.option("--name", required=True)
@click.option("--owner-email", required=True, help="Its Organization Owner (created if new).")
@click.option("--owner-name", default=None, help="Default: the email's local part.")
def create_organization(name: str, owner_email: str, owner_name: str | None) -> None:
    """Bootstrap: an organization, its owner, and the owner's API key (printed once)."""
    from graphql_api.services.organizations import bootstrap_organization

    made = run_with_orm(lambda: bootstrap_organization(name, owner_email, owner_name, utc_now()))
    click.echo(f"Created organization {made.organization.name!r} ({made.organization.id}), "
               f"owner {made.owner.email} ({made.owner.id}).", err=True)  # fmt: skip
    click.echo(made.key.token)
    click.echo("Store the API key now: it is not shown again.", err=True)


@main.command("rename-organization")
@click.option("--org-id", required=True)
@click.option("--name", required=True)
@as_option
def rename_organization(org_id: str, name: str, as_email: str | None) -> None:
    """Rename an organization (Organization Owners)."""
    from graphql_api.services import organizations

    async def work() -> str:
        org = await organizations.rename_organization(
            await acting(as_email), org_id, name, utc_now()
        )
        return org.name

    click.echo(f"Renamed organization {org_id} to {run_with_orm(work)!r}.")


@main.command("add-org-member")
@click.option("--org-id", required=True)
@click.option("--email", required=True)
@click.option("--name", default=None, help="For a new user; default: the email's local part.")
@click.option("--role", type=click.Choice([r.value for r in OrgRole]), default="ORG_MEMBER",
              show_default=True)  # fmt: skip
@as_option
def add_org_member(
    org_id: str, email: str, name: str | None, role: str, as_email: str | None
) -> None:
    """Add someone to an organization (Organization Owners)."""
    from graphql_api.services import organizations

    async def work() -> None:
        await organizations.add_member(
            await acting(as_email), org_id, email, OrgRole(role), utc_now(), name=name
        )

    run_with_orm(work)
    click.echo(f"Added {email} to organization {org_id} as {role}.")


@main.command("set-org-role")
@click.option("--org-id", required=True)
@click.option("--email", required=True)
@click.option("--role", type=click.Choice([r.value for r in OrgRole]), required=True)
@as_option
def set_org_role(org_id: str, email: str, role: str, as_email: str | None) -> None:
    """Change a member's organization role (the last Organization Owner stays)."""
    from graphql_api.services import organizations

    async def work() -> None:
        await organizations.change_member_role(
            await acting(as_email), org_id, email, OrgRole(role), utc_now()
        )

    run_with_orm(work)
    click.echo(f"{email} is now {role} of organization {org_id}.")


@main.command("remove-org-member")
@click.option("--org-id", required=True)
@click.option("--email", required=True)
@as_option
def remove_org_member(org_id: str, email: str, as_email: str | None) -> None:
    """Take someone out of an organization and its projects."""
    from graphql_api.services import organizations

    async def work() -> None:
        await organizations.remove_member(await acting(as_email), org_id, email, utc_now())

    run_with_orm(work)
    click.echo(f"Removed {email} from organization {org_id}.")


@main.command("list-org-members")
@click.option("--org-id", required=True)
@as_option
@json_option
def list_org_members(org_id: str, as_email: str | None, as_json: bool) -> None:
    """An organization's members and their roles."""
    from graphql_api.models import User
    from graphql_api.services import organizations

    async def work() -> list[dict[str, object]]:
        org, listing = await organizations.members_listing(await acting(as_email), org_id)
        rows = await every_row(listing, org.id)
        users = {u.id: u for u in await User.filter(id__in=[r.user_id for r in rows])}
        return [{"email": users[r.user_id].email, "name": users[r.user_id].name,
                 "role": r.role.value, "user_id": r.user_id} for r in rows]  # fmt: skip

    print_rows(run_with_orm(work), as_json)


@main.command("create-project")
@click.option("--org-id", required=True)
@click.option("--name", required=True)
@as_option
def create_project(org_id: str, name: str, as_email: str | None) -> None:
    """Create a project (Organization Owners; --as-email's user becomes its Project Owner)."""
    from graphql_api.services import projects

    async def work() -> str:
        project = await projects.create_project(await acting(as_email), org_id, name, utc_now())
        return project.id

    click.echo(f"Created project {name!r} ({run_with_orm(work)}).")


@main.command("rename-project")
@click.option("--project-id", required=True)
@click.option("--name", required=True)
@as_option
def rename_project(project_id: str, name: str, as_email: str | None) -> None:
    """Rename a project (Organization Owners)."""
    from graphql_api.services import projects

    async def work() -> None:
        await projects.rename_project(await acting(as_email), project_id, name, utc_now())

    run_with_orm(work)
    click.echo(f"Renamed project {project_id} to {name.strip()!r}.")


@main.command("delete-project")
@click.option("--project-id", required=True)
@as_option
def delete_project(project_id: str, as_email: str | None) -> None:
    """Delete a project without clusters (Organization Owners)."""
    from graphql_api.services import projects

    async def work() -> None:
        await projects.delete_project(await acting(as_email), project_id, utc_now())

    run_with_orm(work)
    click.echo(f"Deleted project {project_id}.")


@main.command("list-projects")
@click.option("--org-id", default=None, help="Only this organization's.")
@as_option
@json_option
def list_projects(org_id: str | None, as_email: str | None, as_json: bool) -> None:
    """Projects you can see (the operator: every project)."""
    from graphql_api.models import Project
    from graphql_api.services import projects

    async def work() -> list[dict[str, object]]:
        principal = await acting(as_email)
        if principal.operator:
            query = Project.all().order_by("name", "id")
            rows = list(await (query.filter(organization_id=org_id) if org_id else query))
        else:
            rows = await every_row(projects.readable_projects(principal), ONE_LIST)
            rows = [p for p in rows if org_id is None or p.organization_id == org_id]
        return [{"id": p.id, "name": p.name, "organization_id": p.organization_id}
                for p in rows]  # fmt: skip

    print_rows(run_with_orm(work), as_json)


@main.command("add-project-member")
@click.option("--project-id", required=True)
@click.option("--email", required=True)
@click.option("--role", type=click.Choice([r.value for r in ProjectRole]), required=True)
@click.option("--name", default=None, help="For a new user; default: the email's local part.")
@as_option
def add_project_member(
    project_id: str, email: str, role: str, name: str | None, as_email: str | None
) -> None:
    """Add someone to a project with a role (Project Owners)."""
    from graphql_api.services import members

    async def work() -> None:
        await members.add_member(
            await acting(as_email), project_id, email, ProjectRole(role), utc_now(), name=name
        )

    run_with_orm(work)
    click.echo(f"Added {email} to project {project_id} as {role}.")


@main.command("set-project-role")
@click.option("--project-id", required=True)
@click.option("--email", required=True)
@click.option("--role", type=click.Choice([r.value for r in ProjectRole]), required=True)
@as_option
def set_project_role(project_id: str, email: str, role: str, as_email: str | None) -> None:
    """Change a member's project role (the last Project Owner stays)."""
    from graphql_api.services import members

    async def work() -> None:
        await members.change_role(
            await acting(as_email), project_id, email, ProjectRole(role), utc_now()
        )

    run_with_orm(work)
    click.echo(f"{email} is now {role} of project {project_id}.")


@main.command("remove-project-member")
@click.option("--project-id", required=True)
@click.option("--email", required=True)
@as_option
def remove_project_member(project_id: str, email: str, as_email: str | None) -> None:
    """Take someone out of a project (the last Project Owner stays)."""
    from graphql_api.services import members

    async def work() -> None:
        await members.remove_member(await acting(as_email), project_id, email, utc_now())

    run_with_orm(work)
    click.echo(f"Removed {email} from project {project_id}.")


@main.command("list-project-members")
@click.option("--project-id", required=True)
@as_option
@json_option
def list_project_members(project_id: str, as_email: str | None, as_json: bool) -> None:
    """A project's members and their roles."""
    from graphql_api.models import User
    from graphql_api.services import members

    async def work() -> list[dict[str, object]]:
        project, listing = await members.members_listing(await acting(as_email), project_id)
        rows = await every_row(listing, project.id)
        users = {u.id: u for u in await User.filter(id__in=[r.user_id for r in rows])}
        return [{"email": users[r.user_id].email, "name": users[r.user_id].name,
                 "role": r.role.value, "user_id": r.user_id} for r in rows]  # fmt: skip

    print_rows(run_with_orm(work), as_json)


@main.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--org-id", help="Organization to add the user to.")
@click.option("--org-role", type=click.Choice([r.value for r in OrgRole]))
@click.option("--project-id", help="Project to add the user to.")
@click.option("--project-role", type=click.Choice([r.value for r in ProjectRole]))
def create_user(
    email: str,
    name: str,
    org_id: str | None,
    org_role: str | None,
    project_id: str | None,
    project_role: str | None,
) -> None:
    """Create a user, optionally with an organization and a project role."""
    from graphql_api.services import accounts, members, organizations
    from graphql_api.services.authentication import operator_principal

    if bool(org_id) != bool(org_role) or bool(project_id) != bool(project_role):
        raise click.UsageError("--org-id goes with --org-role, --project-id with --project-role.")

    async def work() -> str:
        user = await accounts.create_user(email, name)
        operator, now = operator_principal(), utc_now()
        if org_id and org_role:
            await organizations.add_member(operator, org_id, email, OrgRole(org_role), now)
        if project_id and project_role:
            await members.add_member(operator, project_id, email, ProjectRole(project_role), now)
        return user.id

    click.echo(f"Created user {email} ({run_with_orm(work)}).")


@main.command("create-api-key")
@click.option("--email", default=None, help="Whose key (default: --as-email's user).")
@click.option("--description", default="", help="What the key is for.")
@as_option
def create_api_key(email: str | None, description: str, as_email: str | None) -> None:
    """Issue an API key; it is printed once and stored only as a hash."""
    from graphql_api.services import api_keys

    async def work() -> str:
        issued = await api_keys.create_api_key(
            await acting(as_email), utc_now(), description=description, user_email=email
        )
        return issued.token

    token = run_with_orm(work)
    click.echo(token)
    click.echo("Store it now: it is not shown again.", err=True)


@main.command("list-api-keys")
@click.option("--email", default=None, help="Whose keys (default: --as-email's user).")
@click.option("--include-revoked", is_flag=True)
@as_option
@json_option
def list_api_keys(
    email: str | None, include_revoked: bool, as_email: str | None, as_json: bool
) -> None:
    """API keys: id, description, created, last used, revoked, the organization a
    key is limited to (never the secret)."""
    from graphql_api.services import api_keys

    async def work() -> list[dict[str, object]]:
        holder, listing = await api_keys.keys_listing(
            await acting(as_email), email, include_revoked
        )
        return [{"id": k.id, "description": k.description, "created_at": k.created_at,
                 "last_used_at": k.last_used_at, "revoked_at": k.revoked_at,
                 "organization_id": k.organization_id}
                for k in await every_row(listing, holder.id)]  # fmt: skip

    print_rows(run_with_orm(work), as_json)


@main.command("revoke-api-key")
@click.option("--key-id", required=True)
@as_option
def revoke_api_key(key_id: str, as_email: str | None) -> None:
    """Revoke an API key and the download links requested with it."""
    from graphql_api.services import api_keys

    async def work() -> None:
        await api_keys.revoke_api_key(await acting(as_email), key_id, utc_now())

    run_with_orm(work)
    click.echo(f"Revoked API key {key_id}.")


@main.command("create-api-key-pair")
@click.option("--email", default=None, help="Whose key pair (default: --as-email's user).")
@click.option("--description", default="", help="What the key pair is for.")
@as_option
def create_api_key_pair(email: str | None, description: str, as_email: str | None) -> None:
    """Issue an API key pair for HTTP Digest (Atlas clients: public key as user,
    private key as password); the private key is printed once, never stored."""
    from graphql_api.services import key_pairs

    async def work() -> tuple[str, str]:
        issued = await key_pairs.create_key_pair(
            await acting(as_email), utc_now(), description=description, user_email=email
        )
        return issued.public_key, issued.private_key

    public_key, private_key = run_with_orm(work)
    click.echo(f"public key:  {public_key}")
    click.echo(f"private key: {private_key}")
    click.echo("Store the private key now: it is not shown again.", err=True)


@main.command("list-api-key-pairs")
@click.option("--email", default=None, help="Whose key pairs (default: --as-email's user).")
@click.option("--include-revoked", is_flag=True)
@as_option
@json_option
def list_api_key_pairs(
    email: str | None, include_revoked: bool, as_email: str | None, as_json: bool
) -> None:
    """API key pairs: id, public key, description, created, last used, revoked, the
    organization a pair is limited to (never the private key)."""
    from graphql_api.services import key_pairs

    async def work() -> list[dict[str, object]]:
        holder, listing = await key_pairs.pairs_listing(
            await acting(as_email), email, include_revoked
        )
        return [{"id": k.id, "public_key": k.public_key, "description": k.description,
                 "created_at": k.created_at, "last_used_at": k.last_used_at,
                 "revoked_at": k.revoked_at, "organization_id": k.organization_id}
                for k in await every_row(listing, holder.id)]  # fmt: skip

    print_rows(run_with_orm(work), as_json)


@main.command("revoke-api-key-pair")
@click.option("--key-pair-id", required=True)
@as_option
def revoke_api_key_pair(key_pair_id: str, as_email: str | None) -> None:
    """Revoke an API key pair and the download links requested with it."""
    from graphql_api.services import key_pairs

    async def work() -> None:
        await key_pairs.revoke_api_key_pair(await acting(as_email), key_pair_id, utc_now())

    run_with_orm(work)
    click.echo(f"Revoked API key pair {key_pair_id}.")


@main.command("export-schema")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export_schema(output: Path | None) -> None:
    """Print the GraphQL schema (SDL), or write it to --output."""
    from graphql_api.schema import schema

    sdl = schema.as_str() + "\n"
    if output is None:
        sys.stdout.write(sdl)
    else:
        output.write_text(sdl, encoding="utf-8")
        click.echo(f"Wrote {output}.", err=True)


@main.command()
@click.option("--once", is_flag=True, help="Run a single tick and print its report.")
def scheduler(once: bool) -> None:
    """Run the daily snapshot scheduler as its own process."""
    import signal

    from graphql_api.fleet import build_fleet
    from graphql_api.scheduler import SnapshotScheduler
    from graphql_api.scheduler.runner import run_until
    from graphql_api.storage import build_stores

    settings = startable_settings()

    async def work() -> None:
        scheduler = SnapshotScheduler(build_fleet(settings), build_stores(settings), settings)
        if once:
            click.echo(str(await scheduler.tick()))
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        click.echo(f"Scheduler {scheduler.worker_id} ticking every "
                   f"{settings.scheduler_interval_seconds:g}s; Ctrl-C to stop.")  # fmt: skip
        await run_until(
            scheduler, settings.scheduler_interval_seconds, stop, settings.shutdown_grace_seconds
        )

    run_with_orm(work)


@main.group()
def fleet() -> None:
    """The simulated fleet (the embedded data plane)."""


@fleet.command("set-node-health")
@click.option("--project-id", required=True)
@click.option("--cluster", "cluster_name", required=True, help="Cluster name.")
@click.option("--node", "hostname", default=None, help="Hostname; default: every secondary.")
@click.option("--healthy/--unhealthy", required=True)
@click.option("--lag-ms", type=int, default=None, help="Replication lag to report.")
def set_node_health(
    project_id: str, cluster_name: str, hostname: str | None, healthy: bool, lag_ms: int | None
) -> None:
    """Mark nodes healthy or not, to see snapshots fail over or fail."""
    from graphql_api.domain.clusters import NodeRole
    from graphql_api.fleet.base import FleetError
    from graphql_api.fleet.simulated import SimulatedFleet
    from graphql_api.models import Cluster
    from graphql_api.services.clusters import address_of

    async def work() -> int:
        cluster = await Cluster.get_or_none(project_id=project_id, live_name=cluster_name)
        if cluster is None:
            raise ServiceError(f"No cluster {cluster_name!r} in {project_id}.", code="NOT_FOUND")
        try:
            return await SimulatedFleet().set_node_health(
                address_of(cluster),
                healthy=healthy,
                hostname=hostname,
                role=None if hostname else NodeRole.SECONDARY,
                replication_lag_ms=lag_ms,
            )
        except FleetError as exc:
            raise ServiceError(str(exc), code="BAD_USER_INPUT") from None

    click.echo(f"{run_with_orm(work)} node(s) now {'healthy' if healthy else 'unhealthy'}.")


# --- Clusters (issue 12): each command calls the use case its GraphQL mutation
# calls, as the user --as-email names (their roles apply, the audit trail shows them).


def _cluster_command(name: str) -> Callable[[Callable[..., None]], click.Command]:
    def wrap(command: Callable[..., None]) -> click.Command:
        command = click.option("--json", "as_json", is_flag=True, help="Print JSON.")(command)
        command = click.option("--name", required=True, help="Cluster name.")(command)
        command = click.option("--project-id", required=True)(command)
        command = click.option(
            "--as-email", required=True, help="The user acting (their roles apply)."
        )(command)
        return main.command(name)(command)

    return wrap


def _tags_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--tag", "tags", multiple=True, metavar="KEY=VALUE", help="A tag; repeat for more."
    )(command)


def _parse_tags(tags: tuple[str, ...]) -> list[ResourceTag]:
    from graphql_api.domain.clusters import ResourceTag

    parsed = []
    for tag in tags:
        key, sep, value = tag.partition("=")
        if not sep:
            raise click.UsageError(f"--tag takes KEY=VALUE, got {tag!r}.")
        parsed.append(ResourceTag(key, value))
    return parsed


def _connection_options(command: Callable[..., None]) -> Callable[..., None]:
    command = click.option(
        "--password", envvar="CLUSTER_PASSWORD", default=None, hide_input=True,
        help="Default: $CLUSTER_PASSWORD, else asked (hidden) when --username is given.",
    )(command)  # fmt: skip
    command = click.option("--username", default=None)(command)
    return click.option(
        "--connection-string", default=None,
        help="mongodb://h1:27017,h2:27017/?replicaSet=rs0, without credentials.",
    )(command)  # fmt: skip


def _connection(
    connection_string: str | None, username: str | None, password: str | None
) -> Connection | None:
    from graphql_api.services.cluster_lifecycle import Connection

    if connection_string is None:
        if username or password:
            raise click.UsageError("--username and --password go with --connection-string.")
        return None
    if username and password is None:
        password = click.prompt("Password", hide_input=True)
    return Connection(connection_string, username, password)


async def _acting_as(email: str) -> Principal:
    from graphql_api.services.accounts import find_user
    from graphql_api.services.authentication import load_principal

    user = await find_user(email)
    if user is None:
        raise ServiceError(f"No user with email {email!r}.", code="NOT_FOUND")
    return await load_principal(user)


def _cluster_view(cluster: Cluster) -> dict[str, Any]:
    """What the API shows of a cluster (never credentials)."""
    from graphql_api.domain.clusters import full_version
    from graphql_api.domain.connections import parse_seed_list

    seed = parse_seed_list(cluster.connection_string) if cluster.connection_string else None
    return {
        "id": cluster.id,
        "name": cluster.name,
        "tier": cluster.tier.value,
        "stateName": cluster.state.value,
        "providerName": cluster.cloud_provider.value,
        "regionName": cluster.region,
        "mongoDBVersion": full_version(cluster.mongodb_version),
        "backupEnabled": cluster.backup_enabled,
        "terminationProtectionEnabled": cluster.termination_protection,
        "tags": cluster.tags or [],
        "hosts": list(seed.hosts) if seed else [],
        "credentialsSet": cluster.credentials is not None,
        "deletedAt": cluster.deleted_at.isoformat() if cluster.deleted_at else None,
    }


def _print_cluster(cluster: Cluster, as_json: bool, what: str) -> None:
    if as_json:
        click.echo(json.dumps(_cluster_view(cluster)))
    else:
        click.echo(f"{what} cluster {cluster.name} ({cluster.id}): {cluster.tier.value}, "
                   f"{cluster.state.value}.")  # fmt: skip


def _run_as(email: str, use_case: Callable[[Principal], Awaitable[T]]) -> T:
    async def work() -> T:
        return await use_case(await _acting_as(email))

    return run_with_orm(work)


@_cluster_command("create-flex-cluster")
@click.option("--provider", type=click.Choice(["AWS", "GCP", "AZURE"]), required=True)
@click.option(
    "--region",
    required=True,
    help="The provider's region code (us-east-1) or Atlas's name (US_EAST_1).",
)
@click.option("--termination-protection/--no-termination-protection", default=False)
@_tags_option
@_connection_options
def create_flex_cluster(
    as_email: str, project_id: str, name: str, as_json: bool, provider: str, region: str,
    termination_protection: bool, tags: tuple[str, ...], connection_string: str | None,
    username: str | None, password: str | None,
) -> None:  # fmt: skip
    """Create a Flex cluster (Project Owner); like mutation createFlexCluster."""
    from graphql_api.domain.regions import CloudProvider
    from graphql_api.services import cluster_lifecycle

    connection = _connection(connection_string, username, password)
    cluster = _run_as(
        as_email,
        lambda p: cluster_lifecycle.create_flex_cluster(
            p, project_id, name, provider=CloudProvider(provider), region=region,
            tags=_parse_tags(tags), termination_protection=termination_protection,
            connection=connection, now=utc_now(),
        ),
    )  # fmt: skip
    _print_cluster(cluster, as_json, "Created")


@_cluster_command("update-flex-cluster")
@click.option("--termination-protection/--no-termination-protection", default=None)
@_tags_option
@click.option("--clear-tags", is_flag=True, help="Remove every tag.")
def update_flex_cluster(
    as_email: str, project_id: str, name: str, as_json: bool,
    termination_protection: bool | None, tags: tuple[str, ...], clear_tags: bool,
) -> None:  # fmt: skip
    """Change termination protection or replace the tags; like updateFlexCluster."""
    from graphql_api.services import cluster_lifecycle

    new_tags = [] if clear_tags else (_parse_tags(tags) if tags else None)
    cluster = _run_as(
        as_email,
        lambda p: cluster_lifecycle.update_flex_cluster(
            p, project_id, name, termination_protection=termination_protection,
            tags=new_tags, now=utc_now(),
        ),
    )  # fmt: skip
    _print_cluster(cluster, as_json, "Updated")


@_cluster_command("delete-flex-cluster")
def delete_flex_cluster(as_email: str, project_id: str, name: str, as_json: bool) -> None:
    """Delete a Flex cluster; its snapshots stay until they expire. Like deleteFlexCluster."""
    from graphql_api.services import cluster_lifecycle

    cluster = _run_as(
        as_email,
        lambda p: cluster_lifecycle.delete_flex_cluster(p, project_id, name, now=utc_now()),
    )
    _print_cluster(cluster, as_json, "Deleted")


@_cluster_command("upgrade-flex-cluster")
@click.option("--tier", default="M10", show_default=True, help="M10 or larger.")
def upgrade_flex_cluster(
    as_email: str, project_id: str, name: str, as_json: bool, tier: str
) -> None:
    """Upgrade a Flex cluster to M10+ (Atlas tenantUpgrade); like upgradeFlexCluster."""
    from graphql_api.domain.clusters import ClusterTier
    from graphql_api.services import cluster_lifecycle

    cluster = _run_as(
        as_email,
        lambda p: cluster_lifecycle.upgrade_flex_cluster(
            p, project_id, name, tier=ClusterTier(tier), now=utc_now()
        ),
    )
    _print_cluster(cluster, as_json, "Upgraded")


@_cluster_command("register-dedicated-cluster")
@click.option("--tier", required=True, help="M10 or larger.")
@click.option("--provider", type=click.Choice(["AWS", "GCP", "AZURE"]), required=True)
@click.option("--region", required=True)
@click.option("--backup/--no-backup", required=True, help="Cloud Backup on or off.")
@click.option("--sharded", is_flag=True, help="A sharded cluster (default: a replica set).")
@click.option("--mongodb-version", default=None, help="X.Y.Z; default 8.0.0.")
@click.option("--termination-protection/--no-termination-protection", default=False)
@_tags_option
@_connection_options
def register_dedicated_cluster(
    as_email: str, project_id: str, name: str, as_json: bool, tier: str, provider: str,
    region: str, backup: bool, sharded: bool, mongodb_version: str | None,
    termination_protection: bool, tags: tuple[str, ...], connection_string: str | None,
    username: str | None, password: str | None,
) -> None:  # fmt: skip
    """Register an M10+ cluster; like mutation registerDedicatedCluster."""
    from graphql_api.domain.clusters import ClusterTier, ClusterType
    from graphql_api.domain.regions import CloudProvider
    from graphql_api.services import cluster_lifecycle

    if tier not in ClusterTier.__members__:
        raise click.UsageError(f"--tier is one of {', '.join(ClusterTier.__members__)}.")
    connection = _connection(connection_string, username, password)
    cluster = _run_as(
        as_email,
        lambda p: cluster_lifecycle.register_dedicated_cluster(
            p, project_id, name, tier=ClusterTier(tier), provider=CloudProvider(provider),
            region=region, backup_enabled=backup,
            cluster_type=ClusterType.SHARDED if sharded else ClusterType.REPLICASET,
            mongodb_version=mongodb_version, tags=_parse_tags(tags),
            termination_protection=termination_protection, connection=connection,
            now=utc_now(),
        ),
    )  # fmt: skip
    _print_cluster(cluster, as_json, "Registered")


@_cluster_command("set-cluster-connection")
@_connection_options
def set_cluster_connection(
    as_email: str, project_id: str, name: str, as_json: bool,
    connection_string: str | None, username: str | None, password: str | None,
) -> None:  # fmt: skip
    """Set the replica set's seed list and credentials; like setClusterConnection."""
    from graphql_api.services import cluster_lifecycle

    connection = _connection(connection_string, username, password)
    if connection is None:
        raise click.UsageError("--connection-string is required.")
    cluster = _run_as(
        as_email,
        lambda p: cluster_lifecycle.set_cluster_connection(
            p, project_id, name, connection, now=utc_now()
        ),
    )
    _print_cluster(cluster, as_json, "Connected")


@_cluster_command("rotate-cluster-credentials")
@click.option("--username", required=True)
@click.option(
    "--password", envvar="CLUSTER_PASSWORD", prompt=True, hide_input=True,
    help="Default: $CLUSTER_PASSWORD, else asked (hidden).",
)  # fmt: skip
def rotate_cluster_credentials(
    as_email: str, project_id: str, name: str, as_json: bool, username: str, password: str
) -> None:
    """Replace the stored credentials; like rotateClusterCredentials."""
    from graphql_api.services import cluster_lifecycle

    cluster = _run_as(
        as_email,
        lambda p: cluster_lifecycle.rotate_cluster_credentials(
            p, project_id, name, username=username, password=password, now=utc_now()
        ),
    )
    _print_cluster(cluster, as_json, "Rotated credentials of")


@main.command("list-clusters")
@click.option("--as-email", required=True, help="The user reading (any project role).")
@click.option("--project-id", required=True)
@click.option("--include-deleted", is_flag=True, help="Also deleted clusters.")
@click.option("--json", "as_json", is_flag=True, help="A JSON array instead of a table.")
def list_clusters(as_email: str, project_id: str, include_deleted: bool, as_json: bool) -> None:
    """A project's clusters, as a table (or JSON)."""
    from graphql_api.services import clusters

    found = _run_as(
        as_email,
        lambda p: clusters.list_clusters(p, project_id, include_deleted=include_deleted),
    )
    views = [_cluster_view(c) for c in found]
    if as_json:
        click.echo(json.dumps(views, indent=2))
        return
    columns = ("name", "tier", "stateName", "providerName", "regionName", "backupEnabled",
               "terminationProtectionEnabled", "credentialsSet", "deletedAt")  # fmt: skip
    headers = ("NAME", "TIER", "STATE", "PROVIDER", "REGION", "BACKUP", "PROTECTED",
               "CREDENTIALS", "DELETED")  # fmt: skip
    rows = [headers] + [tuple(_cell(v[c]) for c in columns) for v in views]
    widths = [max(len(row[i]) for row in rows) for i in range(len(headers))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "-" if value is None else str(value)
