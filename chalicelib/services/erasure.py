"""The privacy worker: carries out deletions and builds exports; the retention sweep watches both.

A deletion revokes at the platforms (best effort), deletes every item and object tied to the person
and completes the request, which then keeps only its code, dates and counts (90 days). Running it
again finds it completed and does nothing; running it after a crash deletes what is left.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, Final, Protocol

from chalicelib.domain.audit import AuditAction
from chalicelib.domain.connections import ConnectionStatus
from chalicelib.domain.privacy import (
    DeletionRequest,
    DeletionSource,
    DeletionStatus,
    ExportRequest,
    ExportStatus,
)
from chalicelib.observability import logger, metrics
from chalicelib.services.audit import AuditLog
from chalicelib.services.ports import ConnectionStore
from chalicelib.services.privacy import PrivacyQueue, Revoker

__all__ = ["PrivacyWorker", "RetentionSweep"]

OLDEST_OPEN_METRIC: Final = "OldestOpenDeletionRequestAgeHours"
# A request handed to the worker at once is sent again by the sweep only if still open after this.
REDELIVER_AFTER: Final = timedelta(minutes=15)


class ErasureStore(Protocol):
    def get_deletion(self, code: str) -> DeletionRequest | None: ...
    def complete_deletion(self, code: str, counts: dict[str, int], now: datetime) -> bool: ...
    def open_deletions(self, due_by: datetime | None = None, limit: int = 100) -> list[DeletionRequest]: ...
    def get_export(self, export_id: str) -> ExportRequest | None: ...
    def complete_export(self, export_id: str, object_key: str, now: datetime) -> None: ...
    def exports_of(self, member_id: str) -> list[ExportRequest]: ...
    def delete_export(self, export_id: str) -> None: ...


class PersonalDataStore(Protocol):
    def purge_connection(self, workspace_id: str, connection_id: str) -> Counter[str]: ...
    def purge_connect_attempts(self, member_id: str) -> int: ...
    def purge_account(self, workspace_id: str, member_id: str) -> Counter[str]: ...
    def member_profile(self, workspace_id: str, member_id: str) -> dict[str, Any] | None: ...
    def connection_records(
        self, workspace_id: str, connection_id: str
    ) -> dict[str, list[dict[str, Any]]]: ...
    def audit_about(
        self, workspace_id: str, member_id: str, connection_ids: Iterable[str] = ()
    ) -> list[dict[str, Any]]: ...
    def workspace_members(self, workspace_id: str) -> list[str]: ...
    def purge_workspace_partition(self, workspace_id: str) -> Counter[str]: ...


class ObjectStore(Protocol):
    def delete_media(self, workspace_id: str, owner_id: str) -> int: ...
    def delete_workspace_media(self, workspace_id: str) -> int: ...
    def put_export(self, key: str, archive: bytes) -> None: ...
    def delete_export(self, key: str) -> None: ...


class PrivacyWorker:
    def __init__(
        self,
        store: ErasureStore,
        data: PersonalDataStore,
        objects: Callable[[], ObjectStore],
        connections: ConnectionStore,
        revoker: Revoker,
        audit: AuditLog,
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._data = data
        self._objects = objects
        self._connections = connections
        self._revoker = revoker
        self._audit = audit
        self._now = clock

    def handle(self, message: dict[str, Any]) -> None:
        kind = message.get("kind")
        if kind == "deletion":
            self.delete(str(message.get("code", "")))
        elif kind == "export":
            self.export(str(message.get("id", "")))
        else:
            logger.warning("privacy message of unknown kind dropped", extra={"kind": str(kind)[:32]})

    # --- deletion ------------------------------------------------------------------------------------

    def delete(self, code: str) -> dict[str, int] | None:
        """Carries out one deletion request; None when there is nothing (left) to do."""
        request = self._store.get_deletion(code)
        if request is None or request.status is DeletionStatus.COMPLETED:
            return None
        counts: Counter[str] = Counter()
        objects = self._objects()
        for target in request.targets:
            loaded = self._connections.get_connection(target.workspace_id, target.connection_id)
            if loaded is not None:
                connection, sealed = loaded
                if request.source.after_removal and connection.status is ConnectionStatus.ACTIVE:
                    counts["kept_reconnected"] += 1  # connected again since removing the app
                    continue
                if self._revoker.revoke_at_platform(connection, sealed):
                    counts["revoked_at_platform"] += 1
            counts += self._data.purge_connection(target.workspace_id, target.connection_id)
            counts["media_objects"] += objects.delete_media(target.workspace_id, target.connection_id)
        owner = _requesting_member(request)
        if owner is not None:
            workspace_id, member_id = owner
            counts["connect_attempts"] += self._data.purge_connect_attempts(member_id)
            counts["media_objects"] += objects.delete_media(workspace_id, member_id)
        if request.member is not None and request.source is DeletionSource.ACCOUNT:
            workspace_id, member_id = request.member
            counts += self._purge_account(objects, workspace_id, member_id)
        if request.source is DeletionSource.WORKSPACE and request.workspace_id is not None:
            counts += self._purge_workspace(objects, request.workspace_id)
        summary = {name: int(value) for name, value in sorted(counts.items()) if value}
        if self._store.complete_deletion(code, summary, self._now()):
            for workspace_id in sorted(_audited_workspaces(request)):
                self._audit.record(
                    AuditAction.DELETION_COMPLETED,
                    workspace_id=workspace_id,
                    actor_id=None,
                    target=code,
                    details={"source": request.source.value, "counts": summary},
                )
            logger.info("deletion completed", extra={"source": request.source.value, "counts": summary})
        return summary

    def _purge_account(self, objects: ObjectStore, workspace_id: str, member_id: str) -> Counter[str]:
        counts: Counter[str] = Counter()
        for export in self._store.exports_of(member_id):
            if export.object_key:
                objects.delete_export(export.object_key)
            self._store.delete_export(export.id)
            counts["exports"] += 1
        return counts + self._data.purge_account(workspace_id, member_id)

    def _purge_workspace(self, objects: ObjectStore, workspace_id: str) -> Counter[str]:
        """A closed workspace, whole: connections made since the request, members, what is left."""
        counts: Counter[str] = Counter()
        for connection in self._connections.list_connections(workspace_id):
            counts += self._data.purge_connection(workspace_id, connection.id)
        for member_id in self._data.workspace_members(workspace_id):
            counts["connect_attempts"] += self._data.purge_connect_attempts(member_id)
            counts += self._purge_account(objects, workspace_id, member_id)
        counts += self._data.purge_workspace_partition(workspace_id)
        counts["media_objects"] += objects.delete_workspace_media(workspace_id)
        return counts

    # --- export --------------------------------------------------------------------------------------

    def export(self, export_id: str) -> str | None:
        """Builds the ZIP of everything held about the requester; returns its key (None if not needed)."""
        export = self._store.get_export(export_id)
        if export is None or export.status is ExportStatus.READY:
            return None
        profile = self._data.member_profile(export.workspace_id, export.member_id)
        owned = [
            connection
            for connection in self._connections.list_connections(export.workspace_id)
            if connection.owner_member_id == export.member_id
        ]
        files: dict[str, Any] = {
            "profile.json": profile,
            "connections.json": [connection.as_json() for connection in owned],
            "posts.json": {},
            "snapshots.json": {},
            "alerts.json": {},
            "audit.json": self._data.audit_about(
                export.workspace_id, export.member_id, [connection.id for connection in owned]
            ),
        }
        for connection in owned:
            records = self._data.connection_records(export.workspace_id, connection.id)
            for name in ("posts", "snapshots", "alerts"):
                files[f"{name}.json"][connection.id] = records[name]
        key = f"exports/{export.id}.zip"
        self._objects().put_export(key, _zip(files, self._now()))
        self._store.complete_export(export.id, key, self._now())
        logger.info("export ready", extra={"connections": len(owned)})
        return key


class RetentionSweep:
    """Hourly: hands due (and stuck) deletions to the worker and reports the oldest open one's age."""

    def __init__(
        self, store: ErasureStore, queue: Callable[[], PrivacyQueue], clock: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._queue = queue
        self._now = clock

    def run(self) -> dict[str, float]:
        now = self._now()
        due = self._store.open_deletions(due_by=now, limit=500)
        sent = 0
        for request in due:
            if request.due_at > request.requested_at or now - request.due_at >= REDELIVER_AFTER:
                self._queue().send({"kind": "deletion", "code": request.code})
                sent += 1
        oldest = max((now - request.due_at for request in due), default=timedelta(0))
        hours = round(oldest.total_seconds() / 3600, 2)
        self._emit(hours)
        logger.info("retention sweep", extra={"due": len(due), "sent": sent, "oldest_open_hours": hours})
        return {"due": len(due), "sent": sent, "oldest_open_hours": hours}

    def _emit(self, hours: float) -> None:
        from aws_lambda_powertools.metrics import MetricUnit

        emf = metrics()
        emf.add_metric(name=OLDEST_OPEN_METRIC, unit=MetricUnit.Count, value=hours)
        emf.flush_metrics()


def _requesting_member(request: DeletionRequest) -> tuple[str, str] | None:
    """Whose own connect attempts and uploads go with the request (a member's own requests only)."""
    if request.source not in (DeletionSource.CREATOR, DeletionSource.ACCOUNT):
        return None
    return request.member


def _audited_workspaces(request: DeletionRequest) -> set[str]:
    """Where the completion is audited: never in a workspace that was just deleted whole."""
    found = {target.workspace_id for target in request.targets}
    if request.member is not None:
        found.add(request.member[0])
    if request.workspace_id is not None:
        found.discard(request.workspace_id)
    return found


def _zip(files: dict[str, Any], now: datetime) -> bytes:
    buffer = io.BytesIO()
    stamp = now.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(files.items()):
            info = zipfile.ZipInfo(
                name, date_time=(stamp[0], stamp[1], stamp[2], stamp[3], stamp[4], stamp[5])
            )
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, json.dumps(content, indent=2, sort_keys=True, default=str))
    return buffer.getvalue()
