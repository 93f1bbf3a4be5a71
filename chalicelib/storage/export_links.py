"""Short-lived download links for data exports (a presigned S3 GET; signing is the only call here)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any


class ExportLinks:
    def __init__(self, s3_client: Any, bucket: str) -> None:
        self._s3 = s3_client
        self._bucket = bucket

    def link(self, key: str, lifetime: timedelta) -> str:
        url: str = self._s3.generate_presigned_url(
            "get_object",
            Params={"Bucket": self._bucket, "Key": key},
            ExpiresIn=int(lifetime.total_seconds()),
        )
        return url
