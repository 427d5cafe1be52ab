"""Incomplete multipart uploads: what a killed writer leaves in a bucket.

They are invisible but billed until aborted. obstore (the data path) has no
call to list them, so this one housekeeping job uses boto3, the AWS SDK.
A bucket lifecycle rule that aborts them after a day is still worth having.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class UploadSweeper:
    bucket: str
    prefix: str  # "" or "some/prefix/"
    endpoint: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None

    async def sweep(self, older_than: timedelta) -> int:
        return await asyncio.to_thread(self._sweep, older_than)

    def _client(self) -> Any:
        import boto3  # type: ignore[import-untyped]  # only deployments on S3 load it

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
        )

    def _sweep(self, older_than: timedelta) -> int:
        client = self._client()
        cutoff = datetime.now(UTC) - older_than
        aborted = 0
        pages = client.get_paginator("list_multipart_uploads").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for upload in page.get("Uploads", []):
                if upload["Initiated"] < cutoff:
                    client.abort_multipart_upload(
                        Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                    aborted += 1
        return aborted
