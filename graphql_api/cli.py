"""Command line: ``graphql-api`` (or ``python -m graphql_api``)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click
from tortoise import Tortoise

from graphql_api.db import tortoise_config
from graphql_api.domain.roles import OrgRole, ProjectRole
from graphql_api.services.errors import ServiceError
from graphql_api.settings import Settings, get_settings

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
