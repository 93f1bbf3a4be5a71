"""Readings of a connection's counters, keyed by the time window they belong to.

A snapshot's identity is (connection, kind, subject, window): syncing twice in one window
writes the same key again, so a redelivered ingest message adds nothing and never double
counts. Windows: profile and demographics per UTC day; post counters per 6-hour block.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from chalicelib.domain.platforms import Demographics, PostMetrics, Profile

POST_WINDOW: Final = timedelta(hours=6)
DEFAULT_RETENTION: Final = timedelta(days=730)  # 24 months
MIN_RETENTION: Final = timedelta(days=30)
MAX_RETENTION: Final = timedelta(days=1095)


class SnapshotKind(enum.StrEnum):
    PROFILE = "profile"
    POST = "post"
    DEMOGRAPHICS = "demographics"


def window_of(kind: SnapshotKind, moment: datetime) -> str:
    """The window a reading taken at ``moment`` belongs to, as a sortable string."""
    utc = moment.astimezone(UTC)
    if kind is SnapshotKind.POST:
        block = utc.hour - utc.hour % int(POST_WINDOW.total_seconds() // 3600)
        return f"{utc:%Y-%m-%d}T{block:02d}"
    return f"{utc:%Y-%m-%d}"


def retention(requested: timedelta | None) -> timedelta:
    """A workspace's retention window, held within the bounds the privacy policy promises."""
    if requested is None:
        return DEFAULT_RETENTION
    return min(max(requested, MIN_RETENTION), MAX_RETENTION)


@dataclass(frozen=True)
class ProfileSnapshot:
    connection_id: str
    taken_at: datetime
    profile: Profile

    @property
    def window(self) -> str:
        return window_of(SnapshotKind.PROFILE, self.taken_at)


@dataclass(frozen=True)
class PostSnapshot:
    connection_id: str
    taken_at: datetime
    metrics: PostMetrics

    @property
    def window(self) -> str:
        return window_of(SnapshotKind.POST, self.taken_at)


@dataclass(frozen=True)
class DemographicsSnapshot:
    connection_id: str
    taken_at: datetime
    demographics: Demographics

    @property
    def window(self) -> str:
        return window_of(SnapshotKind.DEMOGRAPHICS, self.taken_at)


Snapshot = ProfileSnapshot | PostSnapshot | DemographicsSnapshot
