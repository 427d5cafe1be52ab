"""Claiming rows of work with a lease, the same way for every kind of job."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from tortoise.expressions import F, Q
from tortoise.models import Model
from tortoise.transactions import in_transaction

M = TypeVar("M", bound=Model)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long a claim lasts, and how often and how soon failed work is tried again."""

    lease: timedelta
    max_attempts: int
    retry_delay: timedelta


def new_token(worker_id: str) -> str:
    """Unique per claim, so each batch's rows are told apart from any other's."""
    return f"{worker_id[:40]}:{uuid.uuid4().hex[:16]}"


async def claim(
    model: type[M],
    claimable: Q,
    *,
    order: tuple[str, ...],
    worker_id: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    **changes: Any,
) -> list[M]:
    """Lease up to ``limit`` claimable rows to this worker, attempts + 1.

    On PostgreSQL, SKIP LOCKED keeps concurrent workers off each other's rows;
    the UPDATE re-checks ``claimable``, which is what makes a claim exclusive
    on every database (SQLite ignores FOR UPDATE).
    """
    token = new_token(worker_id)
    async with in_transaction():
        # .only(), not .values_list(): Tortoise drops FOR UPDATE from the latter,
        # and then concurrent claimers pick the same rows and all but one get none.
        found = await (
            model.filter(claimable)
            .order_by(*order)
            .limit(limit)
            .select_for_update(skip_locked=True)
            .only("id")
        )
        if not found:
            return []
        ids = [row.pk for row in found]
        await model.filter(claimable, id__in=ids).update(
            lease_owner=token,
            lease_expires_at=now + lease,
            attempts=F("attempts") + 1,
            **changes,
        )
    # By id (the primary key): lease_owner has no index, and the table holds every
    # cluster's history.
    return list(await model.filter(id__in=ids, lease_owner=token))


async def release(model: type[M], token: str, **changes: Any) -> int:
    """Hand back the rows a stopping worker still holds under ``token``, so
    another worker takes them at once instead of when the lease runs out."""
    return await model.filter(lease_owner=token).update(
        lease_owner=None, lease_expires_at=None, **changes
    )
