"""The demo organization `make run` shows: every role, every storage location."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from graphql_api.clock import FixedClock, utc_now
from graphql_api.domain.clusters import ClusterTier, ClusterType, NodeRole
from graphql_api.domain.regions import CloudProvider
from graphql_api.domain.roles import OrgRole, ProjectRole
from graphql_api.domain.schedule import SNAPSHOT_INTERVAL, latest_due_slot
from graphql_api.fleet.simulated import SimulatedFleet
from graphql_api.models import Cluster, Project, User
from graphql_api.scheduler import SnapshotScheduler
from graphql_api.services import clusters, members, organizations, projects
from graphql_api.services.api_keys import create_api_key, revoke_api_keys
from graphql_api.services.authentication import operator_principal
from graphql_api.settings import Settings
from graphql_api.storage import build_stores

DEMO_ORG = "Demo Org"
DEMO_PROJECT = "Demo Project"
KEY_DESCRIPTION = "demo key (seed-demo)"

USERS = (
    ("owner@demo.example", "Olivia Owner", "Project Owner", ProjectRole.PROJECT_OWNER, None),
    ("reader@demo.example", "Ravi Reader", "read-only member", ProjectRole.PROJECT_READ_ONLY, None),
    ("org-owner@demo.example", "Oscar OrgOwner", "Organization Owner, not a project member",
     None, OrgRole.ORG_OWNER),
)  # fmt: skip

# name, tier, type, provider, region, age; together they cover every storage location.
CLUSTERS = (
    ("flex-virginia", ClusterTier.FLEX, ClusterType.REPLICASET, CloudProvider.AWS, "us-east-1"),
    ("flex-frankfurt", ClusterTier.FLEX, ClusterType.REPLICASET, CloudProvider.AWS, "eu-central-1"),
    ("flex-hongkong", ClusterTier.FLEX, ClusterType.REPLICASET, CloudProvider.GCP, "asia-east2"),
    ("flex-sydney", ClusterTier.FLEX, ClusterType.REPLICASET, CloudProvider.AZURE, "australiaeast"),
    ("flex-mumbai", ClusterTier.FLEX, ClusterType.REPLICASET, CloudProvider.AWS, "ap-south-1"),
    ("flex-taiwan", ClusterTier.FLEX, ClusterType.REPLICASET, CloudProvider.GCP, "asia-east1"),
    ("flex-london", ClusterTier.FLEX, ClusterType.REPLICASET, CloudProvider.AWS, "eu-west-2"),
    ("m10-analytics", ClusterTier.M10, ClusterType.REPLICASET, CloudProvider.AWS, "us-west-2"),
    ("m30-sharded", ClusterTier.M30, ClusterType.SHARDED, CloudProvider.GCP, "europe-west1"),
)
NEWBORN = ("flex-newborn", ClusterTier.FLEX, ClusterType.REPLICASET, CloudProvider.AWS, "us-east-2")
HISTORY_DAYS = 10
OUTAGE_CLUSTER = "flex-mumbai"
OUTAGE_DAYS_AGO = 3


@dataclass
class DemoResult:
    project: Project
    created: bool
    keys: list[tuple[str, str, str]] = field(default_factory=list)  # email, who, token

    def render(self, settings: Settings) -> str:
        url = f"http://{settings.host}:{settings.port}/graphql"
        owner_key = self.keys[0][2]
        lines = [
            f"Demo data {'created' if self.created else 'already present'}: "
            f"project {self.project.name!r} ({self.project.id}).",
            "Fresh API keys (shown once; older demo keys were revoked):",
        ]
        lines += [f"  {email:<24} {who:<42} {token}" for email, who, token in self.keys]
        lines += [
            "",
            f"Web console: open http://{settings.host}:{settings.port}/console/ with a key above",
            f"GraphiQL: open {url} and add this to its Headers tab:",
            f'  {{"Authorization": "Bearer {owner_key}"}}',
            "",
            "Or with curl:",
            f"  curl -s {url} -H 'Content-Type: application/json' \\",
            f"    -H 'Authorization: Bearer {owner_key}' \\",
            '    -d \'{"query": "{ viewer { email projects { nodes { id name '
            "clusters { nodes { name snapshotStorageLocation { name } } } } } } }\"}'",
        ]
        return "\n".join(lines)


async def seed_demo(settings: Settings, now: datetime | None = None) -> DemoResult:
    """Idempotent: reuses the demo organization, always issues fresh keys."""
    now = now or utc_now()
    project = await Project.filter(name=DEMO_PROJECT, organization__name=DEMO_ORG).first()
    created = project is None
    if project is None:
        project = await _create(now)
        await _replay_history(project, settings, now)
    result = DemoResult(project=project, created=created)
    for email, _name, who, _project_role, _org_role in USERS:
        user = await User.get(email=email)
        await revoke_api_keys(user, now, description=KEY_DESCRIPTION)
        issued = await create_api_key(
            operator_principal(), now, description=KEY_DESCRIPTION, user_email=email
        )
        result.keys.append((email, who, issued.token))
    return result


async def _create(now: datetime) -> Project:
    """Built as an operator would, through the same use cases as the API."""
    operator = operator_principal()
    org = await organizations.create_organization(operator, DEMO_ORG, now)
    project = await projects.create_project(operator, org.id, DEMO_PROJECT, now)
    for email, name, _who, project_role, org_role in USERS:
        if org_role is not None:
            await organizations.add_member(operator, org.id, email, org_role, now, name=name)
        if project_role is not None:
            await members.add_member(operator, project.id, email, project_role, now, name=name)
    for index, (name, tier, kind, provider, region) in enumerate(CLUSTERS):
        # Spread creation times so each cluster snapshots at its own time of day.
        created_at = now - timedelta(days=HISTORY_DAYS, hours=index * 2 + 1, minutes=17 * index)
        await clusters.create_cluster(
            project, name, tier=tier, cluster_type=kind, provider=provider, region=region,
            created_at=created_at,
        )  # fmt: skip
    name, tier, kind, provider, region = NEWBORN
    await clusters.create_cluster(
        project, name, tier=tier, cluster_type=kind, provider=provider, region=region,
        created_at=now - timedelta(hours=5),
    )  # fmt: skip
    return project


async def _replay_history(project: Project, settings: Settings, now: datetime) -> None:
    """Run the real scheduler hour by hour over the past days, with one outage:
    the Mumbai cluster's secondaries are down for a whole day, so that day's
    snapshot fails for want of a healthy secondary."""
    clock = FixedClock(now - timedelta(days=HISTORY_DAYS, hours=20))
    fleet = SimulatedFleet(clock)
    scheduler = SnapshotScheduler(
        fleet, build_stores(settings), settings, clock=clock, worker_id="seed-demo"
    )
    mumbai = clusters.address_of(await Cluster.get(project=project, live_name=OUTAGE_CLUSTER))
    created = (await Cluster.get(id=mumbai.id)).created_at
    failing_slot = latest_due_slot(created, now - timedelta(days=OUTAGE_DAYS_AGO))
    assert failing_slot is not None
    # Down from before the slot until its day is over: every retry fails.
    outage_start = failing_slot - timedelta(minutes=30)
    outage_end = failing_slot + SNAPSHOT_INTERVAL
    while clock.now <= now:
        down = outage_start <= clock.now < outage_end
        await fleet.set_node_health(mumbai, healthy=not down, role=NodeRole.SECONDARY)
        await scheduler.tick()
        clock.now += timedelta(hours=1)
    await fleet.set_node_health(mumbai, healthy=True, role=NodeRole.SECONDARY)
