"""Snapshots of counters, one item per (connection, kind, subject, window), with TTL retention.

Table ``metrics``:

==================  ======================================  ==================
series              pk                                      sk (the window)
==================  ======================================  ==================
profile counters    SERIES#<connection>#PROFILE             2026-11-24
post counters       SERIES#<connection>#POST#<post id>      2026-11-24T06
demographics        SERIES#<connection>#DEMOGRAPHICS        2026-11-24
account rollup      SERIES#<connection>#ROLLUP              ACCOUNT
==================  ======================================  ==================

(The account rollup, one item per connection kept by the ingest worker for account detail, is
``storage/account_rollups.py``.)

Access patterns: one series between two windows (one Query, newest or oldest first); the latest
reading of a series (Query, descending, limit 1). Writes go through BatchWriteItem; a key is the
window, so writing a window again replaces the reading and adds no item. Every item carries
``expires_at`` (the workspace's retention) and reads drop expired ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.domain.platforms import (
    Demographics,
    DemographicsUnavailableReason,
    Platform,
    PostMetrics,
    Profile,
    Share,
)
from chalicelib.domain.snapshots import (
    DemographicsSnapshot,
    PostSnapshot,
    ProfileSnapshot,
    Snapshot,
    SnapshotKind,
)
from chalicelib.storage.base import live_condition
from chalicelib.storage.models import MetricsTable

_COUNTERS = ("followers", "following", "posts_count", "likes_count", "views_count")
_POST_COUNTERS = ("views", "likes", "comments", "shares", "saves", "reach", "reposts")


class SnapshotItem(MetricsTable):
    taken_at = UTCDateTimeAttribute()
    platform = UnicodeAttribute(null=True)
    followers = NumberAttribute(null=True)
    following = NumberAttribute(null=True)
    posts_count = NumberAttribute(null=True)
    likes_count = NumberAttribute(null=True)
    views_count = NumberAttribute(null=True)
    views = NumberAttribute(null=True)
    likes = NumberAttribute(null=True)
    comments = NumberAttribute(null=True)
    shares = NumberAttribute(null=True)
    saves = NumberAttribute(null=True)
    reach = NumberAttribute(null=True)
    reposts = NumberAttribute(null=True)
    demographics = UnicodeAttribute(null=True)


def series_key(connection_id: str, kind: SnapshotKind, subject: str | None = None) -> str:
    key = f"SERIES#{connection_id}#{kind.value.upper()}"
    return f"{key}#{subject}" if subject else key


class SnapshotRepository:
    def write(self, snapshots: Iterable[Snapshot], retention: timedelta) -> int:
        """Writes every snapshot in batches; returns how many items were put."""
        written = 0
        with SnapshotItem.batch_write() as batch:
            for snapshot in snapshots:
                batch.save(_item(snapshot, snapshot.taken_at + retention))
                written += 1
        return written

    def profile_series(
        self, connection_id: str, since: date, until: date | None = None
    ) -> list[ProfileSnapshot]:
        last = (until or datetime.now(UTC).date()).isoformat()
        items = SnapshotItem.query(
            series_key(connection_id, SnapshotKind.PROFILE),
            SnapshotItem.sk.between(since.isoformat(), last),
            filter_condition=live_condition(SnapshotItem),
        )
        return [_profile(connection_id, item) for item in items]

    def post_history(self, connection_id: str, post_id: str) -> list[PostSnapshot]:
        items = SnapshotItem.query(
            series_key(connection_id, SnapshotKind.POST, post_id),
            filter_condition=live_condition(SnapshotItem),
        )
        return [_post(connection_id, post_id, item) for item in items]

    def latest_demographics(self, connection_id: str) -> DemographicsSnapshot | None:
        items = SnapshotItem.query(
            series_key(connection_id, SnapshotKind.DEMOGRAPHICS),
            filter_condition=live_condition(SnapshotItem),
            scan_index_forward=False,
            limit=1,
        )
        for item in items:
            return _demographics(connection_id, item)
        return None


def _item(snapshot: Snapshot, expires_at: datetime) -> SnapshotItem:
    if isinstance(snapshot, ProfileSnapshot):
        profile = snapshot.profile
        return SnapshotItem(
            series_key(snapshot.connection_id, SnapshotKind.PROFILE),
            snapshot.window,
            taken_at=snapshot.taken_at,
            platform=profile.platform.value,
            expires_at=expires_at,
            **{name: getattr(profile, name) for name in _COUNTERS},
        )
    if isinstance(snapshot, PostSnapshot):
        metrics = snapshot.metrics
        return SnapshotItem(
            series_key(snapshot.connection_id, SnapshotKind.POST, metrics.post_id),
            snapshot.window,
            taken_at=snapshot.taken_at,
            expires_at=expires_at,
            **{name: getattr(metrics, name) for name in _POST_COUNTERS},
        )
    demographics = snapshot.demographics
    return SnapshotItem(
        series_key(snapshot.connection_id, SnapshotKind.DEMOGRAPHICS),
        snapshot.window,
        taken_at=snapshot.taken_at,
        platform=demographics.platform.value,
        expires_at=expires_at,
        demographics=json.dumps(_demographics_json(demographics), sort_keys=True),
    )


def _count(value: Any) -> int | None:
    return None if value is None else int(value)


def _profile(connection_id: str, item: SnapshotItem) -> ProfileSnapshot:
    profile = Profile(
        platform=Platform(item.platform or Platform.TIKTOK.value),
        account_id="",
        handle=None,
        display_name=None,
        followers=_count(item.followers),
        following=_count(item.following),
        posts_count=_count(item.posts_count),
        likes_count=_count(item.likes_count),
        views_count=_count(item.views_count),
    )
    return ProfileSnapshot(connection_id, item.taken_at, profile)


def _post(connection_id: str, post_id: str, item: SnapshotItem) -> PostSnapshot:
    metrics = PostMetrics(post_id=post_id, **{name: _count(getattr(item, name)) for name in _POST_COUNTERS})
    return PostSnapshot(connection_id, item.taken_at, metrics)


def _demographics_json(demographics: Demographics) -> dict[str, Any]:
    def shares(values: Sequence[Share]) -> list[list[Any]]:
        return [[share.key, share.share] for share in values]

    return {
        "unavailable_reason": demographics.unavailable_reason.value
        if demographics.unavailable_reason
        else None,
        "genders": shares(demographics.genders),
        "age_ranges": shares(demographics.age_ranges),
        "countries": shares(demographics.countries),
    }


def _demographics(connection_id: str, item: SnapshotItem) -> DemographicsSnapshot:
    data = json.loads(item.demographics or "{}")
    reason = data.get("unavailable_reason")

    def shares(key: str) -> tuple[Share, ...]:
        return tuple(Share(name, float(value)) for name, value in data.get(key, []))

    demographics = Demographics(
        platform=Platform(item.platform or Platform.TIKTOK.value),
        unavailable_reason=DemographicsUnavailableReason(reason) if reason else None,
        genders=shares("genders"),
        age_ranges=shares("age_ranges"),
        countries=shares("countries"),
    )
    return DemographicsSnapshot(connection_id, item.taken_at, demographics)
