"""The shapes this API answers and accepts, as data: the serializers fill
them, the OpenAPI document is built from them, and tests compare them with
Atlas's document. Names are Atlas's (FlexClusterDescription20241113...)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql_api.domain.clusters import ClusterTier
from graphql_api.rest.params import ID_PATTERN, NAME_PATTERN

STATUSES = ("PENDING", "QUEUED", "RUNNING", "FAILED", "COMPLETED")
# Atlas's pattern is ^[\p{L}\p{N}\-_.(),:&@+']{1,64}$; JSON Schema validators
# (Python's re) lack \p{...}: \w is letters, digits and _ in Unicode.
DEPLOYMENT_NAME_PATTERN = r"^[\w\-.(),:&@+']{1,64}$"
VERSION_PATTERN = r"([\d]+\.[\d]+\.[\d]+)"


@dataclass(frozen=True)
class Prop:
    """One property, as JSON Schema says it."""

    type: str
    format: str | None = None
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    read_only: bool = False
    write_only: bool = False
    ref: str | None = None  # an object schema by name
    items: Prop | None = None
    default: Any = None
    minimum: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    description: str = ""


@dataclass(frozen=True)
class Shape:
    name: str
    properties: dict[str, Prop]
    required: tuple[str, ...] = ()
    description: str = ""
    read_only: bool = False
    write_only: bool = False
    # Fields it does not name are ignored, not refused (Atlas's request has many
    # this server has no use for).
    open: bool = False


def _ro(type: str, **kw: Any) -> Prop:
    return Prop(type, read_only=True, **kw)


ID = _ro("string", pattern=ID_PATTERN, min_length=24, max_length=24)
WHEN = _ro("string", format="date-time")
LINKS = _ro("array", items=Prop("object", ref="Link"))

LINK = Shape(
    "Link",
    {"href": Prop("string", description="An absolute URL on this server."), "rel": Prop("string")},
)

RESOURCE_TAG = Shape(
    "ResourceTag",
    {
        "key": Prop("string", min_length=1, max_length=255),
        "value": Prop("string", min_length=1, max_length=255),
    },
    required=("key", "value"),
)

_TAGS = Prop("array", items=Prop("object", ref=RESOURCE_TAG.name))

PROVIDER_SETTINGS = Shape(
    "FlexProviderSettings20241113",
    {
        "backingProviderName": _ro("string", enum=("AWS", "AZURE", "GCP")),
        "providerName": _ro("string", enum=("FLEX",), default="FLEX"),
        "regionName": _ro(
            "string",
            description="Atlas's name for the region, e.g. US_EAST_1 (the provider's code, "
            "e.g. us-east1, for a region Atlas does not name).",
        ),
        "diskSizeGB": _ro("number", format="double"),
    },
    read_only=True,
)

BACKUP_SETTINGS = Shape(
    "FlexBackupSettings20241113", {"enabled": _ro("boolean", default=True)}, read_only=True
)

CONNECTION_STRINGS = Shape(
    "FlexConnectionStrings20241113",
    {"standard": _ro("string"), "standardSrv": _ro("string")},
    read_only=True,
)

FLEX_CLUSTER = Shape(
    "FlexClusterDescription20241113",
    {
        "id": ID,
        "groupId": ID,
        "name": _ro("string", pattern=NAME_PATTERN),
        "clusterType": _ro("string", enum=("REPLICASET",), default="REPLICASET"),
        "mongoDBVersion": _ro("string", pattern=VERSION_PATTERN),
        "createDate": WHEN,
        "stateName": _ro("string", enum=("IDLE", "CREATING", "UPDATING", "DELETING", "REPAIRING")),
        "versionReleaseSystem": _ro("string", enum=("LTS",), default="LTS"),
        "providerSettings": Prop("object", ref=PROVIDER_SETTINGS.name),
        "backupSettings": Prop("object", ref=BACKUP_SETTINGS.name),
        "connectionStrings": Prop("object", ref=CONNECTION_STRINGS.name),
        "terminationProtectionEnabled": Prop("boolean", default=False),
        "tags": _TAGS,
        "links": LINKS,
    },
    required=("providerSettings",),
    description="A Flex cluster.",
)

PROVIDER_SETTINGS_CREATE = Shape(
    "FlexProviderSettingsCreate20241113",
    {
        "backingProviderName": Prop("string", enum=("AWS", "AZURE", "GCP"), write_only=True),
        "regionName": Prop(
            "string",
            write_only=True,
            description="Atlas's name for the region (e.g. US_EAST_1) or the provider's "
            "region code (e.g. us-east-1).",
        ),
        "providerName": _ro("string", enum=("FLEX",), default="FLEX"),
        "diskSizeGB": _ro("number", format="double"),
    },
    required=("backingProviderName", "regionName"),
    write_only=True,
)

FLEX_CLUSTER_CREATE = Shape(
    "FlexClusterDescriptionCreate20241113",
    {
        "name": Prop("string", pattern=NAME_PATTERN, write_only=True),
        "providerSettings": Prop("object", ref=PROVIDER_SETTINGS_CREATE.name),
        "terminationProtectionEnabled": Prop("boolean", default=False),
        "tags": _TAGS,
        "links": LINKS,
    },
    required=("name", "providerSettings"),
    description="A new Flex cluster (CREATING until the data plane reports it up).",
)

FLEX_CLUSTER_UPDATE = Shape(
    "FlexClusterDescriptionUpdate20241113",
    {
        "terminationProtectionEnabled": Prop("boolean", default=False),
        "tags": Prop(
            "array",
            items=Prop("object", ref=RESOURCE_TAG.name),
            description="Replaces every tag; leave it out to keep them.",
        ),
        "links": LINKS,
    },
    description="What to change on a Flex cluster: what is left out stays.",
)

DEDICATED_TIERS = tuple(t.value for t in ClusterTier if t.is_dedicated)

UPGRADE_PROVIDER_SETTINGS = Shape(
    "TenantUpgradeProviderSettings",
    {
        "instanceSizeName": Prop(
            "string", enum=DEDICATED_TIERS, default="M10", description="The tier to upgrade to."
        ),
    },
    description="The tier the cluster becomes (M10 when left out); the other fields of "
    "Atlas's provider settings (provider, region) are ignored: the cluster stays where it is.",
    open=True,
)

TENANT_UPGRADE = Shape(
    "AtlasTenantClusterUpgradeRequest20240805",
    {
        "name": Prop("string", pattern=NAME_PATTERN, description="The Flex cluster to upgrade."),
        "providerSettings": Prop("object", ref=UPGRADE_PROVIDER_SETTINGS.name),
    },
    required=("name",),
    description="Upgrade a Flex cluster to a dedicated (M10+) cluster with Cloud Backup. "
    "Atlas's request describes the whole cluster to become: the fields not listed here are "
    "ignored.",
    open=True,
)

SNAPSHOT = Shape(
    "FlexBackupSnapshot20241113",
    {
        "id": ID,
        "status": _ro("string", enum=STATUSES),
        "mongoDBVersion": _ro("string"),
        "scheduledTime": WHEN,
        "startTime": WHEN,
        "finishTime": WHEN,
        "expiration": WHEN,
        "links": LINKS,
    },
    description="A daily snapshot of a Flex cluster.",
)

RESTORE_JOB = Shape(
    "FlexBackupRestoreJob20241113",
    {
        "id": ID,
        "snapshotId": ID,
        "projectId": ID,
        "targetProjectId": ID,
        "instanceName": _ro("string", pattern=NAME_PATTERN),
        "targetDeploymentItemName": _ro("string", pattern=DEPLOYMENT_NAME_PATTERN),
        "deliveryType": _ro("string", enum=("RESTORE", "DOWNLOAD")),
        "status": _ro("string", enum=STATUSES),
        "snapshotUrl": _ro("string"),
        "expirationDate": WHEN,
        "restoreScheduledDate": WHEN,
        "restoreFinishedDate": WHEN,
        "snapshotFinishedDate": WHEN,
        "links": LINKS,
    },
    description="A restore or download job of a Flex snapshot.",
)

_WO_ID = Prop("string", pattern=ID_PATTERN, write_only=True, min_length=24, max_length=24)

RESTORE_JOB_CREATE = Shape(
    "FlexBackupRestoreJobCreate20241113",
    {
        **{k: v for k, v in RESTORE_JOB.properties.items() if k not in ("snapshotId",)},
        "snapshotId": _WO_ID,
        "targetDeploymentItemName": Prop(
            "string", pattern=DEPLOYMENT_NAME_PATTERN, write_only=True
        ),
        "targetProjectId": _WO_ID,
    },
    required=("snapshotId", "targetDeploymentItemName"),
    description="A restore of a snapshot onto a target cluster (its name is the confirmation).",
)

DOWNLOAD_CREATE = Shape(
    "FlexBackupSnapshotDownloadCreate20241113",
    {"snapshotId": _WO_ID, "links": LINKS},
    required=("snapshotId",),
)


def paginated(name: str, item: Shape) -> Shape:
    return Shape(
        name,
        {
            "results": _ro("array", items=Prop("object", ref=item.name)),
            "totalCount": _ro("integer", format="int32", minimum=0),
            "links": LINKS,
        },
        required=("results",),
    )


PAGE_OF_CLUSTERS = paginated("PaginatedFlexClusters20241113", FLEX_CLUSTER)
PAGE_OF_SNAPSHOTS = paginated("PaginatedApiAtlasFlexBackupSnapshot20241113View", SNAPSHOT)
PAGE_OF_JOBS = paginated("PaginatedApiAtlasFlexBackupRestoreJob20241113View", RESTORE_JOB)

FIELD_VIOLATION = Shape(
    "FieldViolation",
    {"field": Prop("string"), "description": Prop("string")},
    required=("field", "description"),
)
BAD_REQUEST_DETAIL = Shape(
    "BadRequestDetail",
    {"fields": Prop("array", items=Prop("object", ref=FIELD_VIOLATION.name))},
    read_only=True,
)
API_ERROR = Shape(
    "ApiError",
    {
        "error": _ro("integer", format="int32"),
        "errorCode": _ro("string"),
        "reason": _ro("string"),
        "detail": Prop("string"),
        "parameters": _ro("array", items=Prop("any", description="Values the detail names.")),
        "badRequestDetail": Prop("object", ref=BAD_REQUEST_DETAIL.name),
    },
    required=("error", "errorCode"),
)

SHAPES: tuple[Shape, ...] = (
    LINK, RESOURCE_TAG, PROVIDER_SETTINGS, BACKUP_SETTINGS, CONNECTION_STRINGS, FLEX_CLUSTER,
    PROVIDER_SETTINGS_CREATE, FLEX_CLUSTER_CREATE, FLEX_CLUSTER_UPDATE, UPGRADE_PROVIDER_SETTINGS,
    TENANT_UPGRADE, SNAPSHOT, RESTORE_JOB, RESTORE_JOB_CREATE, DOWNLOAD_CREATE, PAGE_OF_CLUSTERS,
    PAGE_OF_SNAPSHOTS, PAGE_OF_JOBS, FIELD_VIOLATION, BAD_REQUEST_DETAIL, API_ERROR,
)  # fmt: skip
