"""Deletion and export requests: what is asked, by whom, and what the public may see of it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from chalicelib.domain.platforms import Platform

__all__ = [
    "COMPLETION_RETENTION",
    "EXPORT_LINK_LIFETIME",
    "MAX_DELETION_DELAY",
    "RECENT_EXPORTS",
    "WEBHOOK_REPLAY_WINDOW",
    "WORKSPACE_DELETION_DELAY",
    "DeletionRequest",
    "DeletionSource",
    "DeletionStatus",
    "DeletionTarget",
    "ExportRequest",
    "ExportStatus",
    "MetaApp",
]

# A completed deletion is kept this long, as dates and counts only, for the public status page.
COMPLETION_RETENTION: Final = timedelta(days=90)
# TikTok retries a webhook for 72 hours; a marker must outlive every retry of one event.
WEBHOOK_REPLAY_WINDOW: Final = timedelta(hours=73)
MAX_DELETION_DELAY: Final = timedelta(days=30)
EXPORT_LINK_LIFETIME: Final = timedelta(hours=1)
# An export request is forgotten after this (the public policy says one day); S3 lifecycle removes the ZIP.
EXPORT_RETENTION: Final = timedelta(days=1)
# The most exports a member's list shows: enough to find the one being built after leaving the page.
RECENT_EXPORTS: Final = 10
# A closed workspace's data is deleted this long after closure (the public policy's promise).
WORKSPACE_DELETION_DELAY: Final = timedelta(days=30)


class MetaApp(enum.StrEnum):
    """A Meta app that signs callbacks with its own secret, and the platforms its user ids belong to."""

    META = "meta"
    THREADS = "threads"

    @property
    def platforms(self) -> tuple[Platform, ...]:
        if self is MetaApp.THREADS:
            return (Platform.THREADS,)
        return (Platform.FACEBOOK, Platform.INSTAGRAM)

    @property
    def deletion_source(self) -> DeletionSource:
        return DeletionSource.THREADS if self is MetaApp.THREADS else DeletionSource.META

    @property
    def deauthorized_source(self) -> DeletionSource:
        return (
            DeletionSource.THREADS_DEAUTHORIZED
            if self is MetaApp.THREADS
            else DeletionSource.META_DEAUTHORIZED
        )

    @property
    def secret_name(self) -> str:
        return "threads_app_secret" if self is MetaApp.THREADS else "meta_app_secret"


class DeletionStatus(enum.StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"


class DeletionSource(enum.StrEnum):
    META = "meta_data_deletion"
    META_DEAUTHORIZED = "meta_deauthorized"
    THREADS = "threads_data_deletion"
    THREADS_DEAUTHORIZED = "threads_deauthorized"
    TIKTOK = "tiktok_authorization_removed"
    CREATOR = "creator_request"  # a member deletes the data of the accounts they connected
    ACCOUNT = "account_request"  # a member deletes their account (and that data)
    WORKSPACE = "workspace_closed"  # an admin closed the workspace: everything of it, 30 days later

    @property
    def after_removal(self) -> bool:
        """Scheduled because the person removed the app: a connection they reconnected since is kept."""
        return self in (
            DeletionSource.META_DEAUTHORIZED,
            DeletionSource.THREADS_DEAUTHORIZED,
            DeletionSource.TIKTOK,
        )


class ExportStatus(enum.StrEnum):
    PENDING = "pending"
    READY = "ready"


@dataclass(frozen=True)
class DeletionTarget:
    """One connection whose data goes, as found when the request was made."""

    workspace_id: str
    connection_id: str
    platform: Platform
    owner_member_id: str

    def as_json(self) -> dict[str, str]:
        return {
            "workspace_id": self.workspace_id,
            "connection_id": self.connection_id,
            "platform": self.platform.value,
            "owner_member_id": self.owner_member_id,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> DeletionTarget:
        return cls(
            raw["workspace_id"], raw["connection_id"], Platform(raw["platform"]), raw["owner_member_id"]
        )


@dataclass(frozen=True)
class DeletionRequest:
    """A deletion: while pending it names what to delete; once completed, only dates and counts."""

    code: str
    source: DeletionSource
    status: DeletionStatus
    requested_at: datetime
    due_at: datetime
    targets: tuple[DeletionTarget, ...] = ()
    member: tuple[str, str] | None = None  # (workspace id, member id) who asked about themselves
    requester_id: str | None = None
    completed_at: datetime | None = None
    counts: dict[str, int] = field(default_factory=dict)
    workspace_id: str | None = None  # a closed workspace, deleted whole

    def public_json(self) -> dict[str, Any]:
        """What the public status page shows: status and dates, nothing about whom it concerns."""
        return {
            "confirmation_code": self.code,
            "status": self.status.value,
            "requested_at": self.requested_at.isoformat(),
            "completed_at": self.completed_at.isoformat() if self.completed_at else None,
        }


@dataclass(frozen=True)
class ExportRequest:
    id: str
    workspace_id: str
    member_id: str
    status: ExportStatus
    requested_at: datetime
    completed_at: datetime | None = None
    object_key: str | None = None

    def as_json(self, download_url: str | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status.value,
            "requested_at": self.requested_at.isoformat(),
            "completed_at": self.completed_at.isoformat() if self.completed_at else None,
            "download_url": download_url,
        }
