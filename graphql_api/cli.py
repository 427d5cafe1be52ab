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
from graphql_api.settings import Settings, get_settings

if TYPE_CHECKING:
    from graphql_api.domain.clusters import ResourceTag
    from graphql_api.models import Cluster
    from graphql_api.services.authentication import Principal
    from graphql_api.services.cluster_lifecycle import Connection

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
    from graphql_api.models import Organization, Project
    from graphql_api.services import accounts

    if bool(org_id) != bool(org_role) or bool(project_id) != bool(project_role):
        raise click.UsageError("--org-id goes with --org-role, --project-id with --project-role.")

    async def work() -> str:
        user = await accounts.create_user(email, name)
        if org_id and org_role:
            org = await Organization.get_or_none(id=org_id)
            if org is None:
                raise ServiceError(f"No organization {org_id}.", code="NOT_FOUND")
            await accounts.grant_org_role(user, org, OrgRole(org_role))
        if project_id and project_role:
            project = await Project.get_or_none(id=project_id)
            if project is None:
                raise ServiceError(f"No project {project_id}.", code="NOT_FOUND")
            await accounts.grant_project_role(user, project, ProjectRole(project_role))
        return user.id

    click.echo(f"Created user {email} ({run_with_orm(work)}).")


@main.command("create-api-key")
@click.option("--email", required=True, help="The user the key acts as.")
@click.option("--description", default="", help="What the key is for.")
def create_api_key(email: str, description: str) -> None:
    """Issue an API key; it is printed once and stored only as a hash."""
    from graphql_api.services.accounts import find_user
    from graphql_api.services.api_keys import issue_api_key

    async def work() -> str:
        user = await find_user(email)
        if user is None:
            raise ServiceError(f"No user with email {email!r}.", code="NOT_FOUND")
        return (await issue_api_key(user, description)).token

    token = run_with_orm(work)
    click.echo(token)
    click.echo("Store it now: it is not shown again.", err=True)


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
@click.option("--region", required=True, help="The provider's region code.")
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
