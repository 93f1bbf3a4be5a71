"""S3 objects tied to a person: media under an owner's prefix, and export archives.

Media keys are ``<workspace id>/<owner id>/...`` where the owner is the member who uploaded it or
the connection it belongs to (both random ids, so one prefix never covers another's). Exports are
``exports/<export id>.zip`` in the exports bucket. The buckets' lifecycle rules (Terraform) remove
what a deletion could miss; a deletion does not wait for them.
"""

from __future__ import annotations

from typing import Any


class PersonalObjects:
    def __init__(self, s3_client: Any, media_bucket: str, exports_bucket: str) -> None:
        self._s3 = s3_client
        self._media = media_bucket
        self._exports = exports_bucket

    def delete_media(self, workspace_id: str, owner_id: str) -> int:
        """Deletes every media object under the owner's prefix; returns how many."""
        return self._delete_prefix(f"{workspace_id}/{owner_id}/")

    def delete_workspace_media(self, workspace_id: str) -> int:
        """Deletes every media object of a workspace (a closed one); returns how many."""
        return self._delete_prefix(f"{workspace_id}/")

    def _delete_prefix(self, prefix: str) -> int:
        deleted = 0
        token: str | None = None
        while True:
            extra = {"ContinuationToken": token} if token else {}
            page = self._s3.list_objects_v2(Bucket=self._media, Prefix=prefix, **extra)
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                self._s3.delete_objects(Bucket=self._media, Delete={"Objects": keys, "Quiet": True})
                deleted += len(keys)
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return deleted

    def put_export(self, key: str, archive: bytes) -> None:
        self._s3.put_object(Bucket=self._exports, Key=key, Body=archive, ContentType="application/zip")

    def delete_export(self, key: str) -> None:
        self._s3.delete_object(Bucket=self._exports, Key=key)
