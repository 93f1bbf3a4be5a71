"""Deletion requests, export requests and webhook replay markers, in the privacy table.

Key patterns (table ``privacy``):

==========================  =====================  ========  ==============================  ===============
item                        pk                     sk        gsi1pk / gsi1sk                 expires_at
==========================  =====================  ========  ==============================  ===============
deletion request            DELETION#<code>        DELETION  DELETIONS#OPEN / <due>#<code>   completed + 90 d
                                                             (only while pending)
export request              EXPORT#<id>            EXPORT    REQUESTER#<member> / <at>#<id>  requested + 1 d
webhook replay marker       WEBHOOK#<sha256>       WEBHOOK                                   seen + 73 h
==========================  =====================  ========  ==============================  ===============

Access patterns: the public status page (GetItem DELETION#code); the retention sweep's due and
overdue deletions (Query gsi1 ``DELETIONS#OPEN`` up to now, oldest first); a member's exports
(Query gsi1 ``REQUESTER#<member>``: all of them for erasure, the newest few, newest first, for
the member's list); a webhook already seen (conditional PutItem on the marker).
A pending deletion names the connections and member it concerns; completing it removes those
names and the index entry in the same write, so what remains is a code, dates and counts.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Final, cast

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.domain.privacy import (
    COMPLETION_RETENTION,
    EXPORT_RETENTION,
    DeletionRequest,
    DeletionSource,
    DeletionStatus,
    DeletionTarget,
    ExportRequest,
    ExportStatus,
)
from chalicelib.storage.base import is_conditional_failure
from chalicelib.storage.models import PrivacyTable

OPEN_DELETIONS: Final = "DELETIONS#OPEN"


class DeletionItem(PrivacyTable):
    source = UnicodeAttribute()
    status = UnicodeAttribute()
    requested_at = UTCDateTimeAttribute()
    due_at = UTCDateTimeAttribute()
    completed_at = UTCDateTimeAttribute(null=True)
    targets = UnicodeAttribute(null=True)  # JSON list, removed on completion
    member_workspace_id = UnicodeAttribute(null=True)
    member_id = UnicodeAttribute(null=True)
    requester_id = UnicodeAttribute(null=True)
    workspace_id = UnicodeAttribute(null=True)  # a closed workspace's deletion; removed on completion
    counts = UnicodeAttribute(default="{}")


class ExportItem(PrivacyTable):
    export_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    member_id = UnicodeAttribute()
    status = UnicodeAttribute()
    requested_at = UTCDateTimeAttribute()
    completed_at = UTCDateTimeAttribute(null=True)
    object_key = UnicodeAttribute(null=True)


class WebhookMarkerItem(PrivacyTable):
    outcome = UnicodeAttribute(default="")


class PrivacyRepository:
    # --- deletion requests ----------------------------------------------------------------------

    def create_deletion(self, request: DeletionRequest) -> None:
        member_workspace, member_id = request.member or (None, None)
        DeletionItem(
            f"DELETION#{request.code}",
            "DELETION",
            gsi1pk=OPEN_DELETIONS,
            gsi1sk=f"{request.due_at.isoformat()}#{request.code}",
            source=request.source.value,
            status=request.status.value,
            requested_at=request.requested_at,
            due_at=request.due_at,
            targets=json.dumps([target.as_json() for target in request.targets]),
            member_workspace_id=member_workspace,
            member_id=member_id,
            requester_id=request.requester_id,
            workspace_id=request.workspace_id,
        ).save(condition=DeletionItem.pk.does_not_exist())

    def get_deletion(self, code: str) -> DeletionRequest | None:
        try:
            item = DeletionItem.get(f"DELETION#{code}", "DELETION", consistent_read=True)
        except DoesNotExist:
            return None
        return _deletion(item) if item.is_live() else None

    def complete_deletion(self, code: str, counts: dict[str, int], now: datetime) -> bool:
        """Keeps only dates and counts; True for the one caller that completed it."""
        try:
            DeletionItem(f"DELETION#{code}", "DELETION").update(
                actions=[
                    DeletionItem.status.set(DeletionStatus.COMPLETED.value),
                    DeletionItem.completed_at.set(now),
                    DeletionItem.counts.set(json.dumps(counts, sort_keys=True)),
                    DeletionItem.expires_at.set(now + COMPLETION_RETENTION),
                    DeletionItem.targets.remove(),
                    DeletionItem.member_workspace_id.remove(),
                    DeletionItem.member_id.remove(),
                    DeletionItem.requester_id.remove(),
                    DeletionItem.workspace_id.remove(),
                    DeletionItem.gsi1pk.remove(),
                    DeletionItem.gsi1sk.remove(),
                ],
                condition=DeletionItem.status == DeletionStatus.PENDING.value,
            )
        except UpdateError as exc:
            if is_conditional_failure(exc):
                return False
            raise
        return True

    def open_deletions(self, due_by: datetime | None = None, limit: int = 100) -> list[DeletionRequest]:
        """Pending deletions, earliest due first; only those due by ``due_by`` when given."""
        condition = DeletionItem.gsi1sk <= f"{due_by.isoformat()}#~" if due_by is not None else None
        items = DeletionItem.gsi1.query(OPEN_DELETIONS, condition, limit=limit)
        return [_deletion(cast(DeletionItem, item)) for item in items]

    # --- exports ----------------------------------------------------------------------------------

    def create_export(self, export: ExportRequest) -> None:
        ExportItem(
            f"EXPORT#{export.id}",
            "EXPORT",
            gsi1pk=f"REQUESTER#{export.member_id}",
            gsi1sk=f"{export.requested_at.isoformat()}#{export.id}",
            export_id=export.id,
            workspace_id=export.workspace_id,
            member_id=export.member_id,
            status=export.status.value,
            requested_at=export.requested_at,
            expires_at=export.requested_at + EXPORT_RETENTION,
        ).save(condition=ExportItem.pk.does_not_exist())

    def get_export(self, export_id: str) -> ExportRequest | None:
        try:
            item = ExportItem.get(f"EXPORT#{export_id}", "EXPORT", consistent_read=True)
        except DoesNotExist:
            return None
        return _export(item) if item.is_live() else None

    def complete_export(self, export_id: str, object_key: str, now: datetime) -> None:
        ExportItem(f"EXPORT#{export_id}", "EXPORT").update(
            actions=[
                ExportItem.status.set(ExportStatus.READY.value),
                ExportItem.completed_at.set(now),
                ExportItem.object_key.set(object_key),
            ]
        )

    def exports_of(self, member_id: str) -> list[ExportRequest]:
        items = ExportItem.gsi1.query(f"REQUESTER#{member_id}")
        return [_export(cast(ExportItem, item)) for item in items]

    def recent_exports(self, member_id: str, limit: int) -> list[ExportRequest]:
        """A member's newest exports first, at most ``limit``, in one Query.

        Expired items are dropped here rather than by a filter expression: Limit counts the items
        read before filtering, and a filtered short page would make the iterator read another.
        They are the oldest anyway (expiry is requested_at + EXPORT_RETENTION), so they come last.
        """
        items = ExportItem.gsi1.query(f"REQUESTER#{member_id}", scan_index_forward=False, limit=limit)
        found = [cast(ExportItem, item) for item in items]
        return [_export(item) for item in found if item.is_live()]

    def delete_export(self, export_id: str) -> None:
        ExportItem(f"EXPORT#{export_id}", "EXPORT").delete()

    # --- webhook replay markers -------------------------------------------------------------------

    def claim_marker(self, key_hash: str, outcome: str, now: datetime, window: timedelta) -> str | None:
        """Records a first delivery; for one already seen (and not expired), what it led to."""
        item = WebhookMarkerItem(f"WEBHOOK#{key_hash}", "WEBHOOK", outcome=outcome, expires_at=now + window)
        try:
            item.save(condition=WebhookMarkerItem.pk.does_not_exist() | (WebhookMarkerItem.expires_at < now))
        except PutError as exc:
            if not is_conditional_failure(exc):
                raise
            seen = WebhookMarkerItem.get(f"WEBHOOK#{key_hash}", "WEBHOOK", consistent_read=True)
            return seen.outcome
        return None

    def set_marker_outcome(self, key_hash: str, outcome: str) -> None:
        WebhookMarkerItem(f"WEBHOOK#{key_hash}", "WEBHOOK").update(
            actions=[WebhookMarkerItem.outcome.set(outcome)]
        )

    def release_marker(self, key_hash: str) -> None:
        WebhookMarkerItem(f"WEBHOOK#{key_hash}", "WEBHOOK").delete()


def _deletion(item: DeletionItem) -> DeletionRequest:
    member = (
        (item.member_workspace_id, item.member_id)
        if item.member_workspace_id is not None and item.member_id is not None
        else None
    )
    return DeletionRequest(
        code=str(item.pk).removeprefix("DELETION#"),
        source=DeletionSource(item.source),
        status=DeletionStatus(item.status),
        requested_at=item.requested_at,
        due_at=item.due_at,
        targets=tuple(DeletionTarget.from_json(raw) for raw in json.loads(item.targets or "[]")),
        member=member,
        requester_id=item.requester_id,
        completed_at=item.completed_at,
        counts={str(k): int(v) for k, v in json.loads(item.counts or "{}").items()},
        workspace_id=item.workspace_id,
    )


def _export(item: ExportItem) -> ExportRequest:
    return ExportRequest(
        id=item.export_id,
        workspace_id=item.workspace_id,
        member_id=item.member_id,
        status=ExportStatus(item.status),
        requested_at=item.requested_at,
        completed_at=item.completed_at,
        object_key=item.object_key,
    )
