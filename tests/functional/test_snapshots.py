"""Snapshots: idempotent by window, bounded reads, expired readings never returned."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import boto3

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
    SnapshotKind,
    retention,
    window_of,
)
from chalicelib.settings import Settings
from chalicelib.storage.base import bind_tables
from chalicelib.storage.metrics import SnapshotItem, SnapshotRepository

NOW = datetime(2026, 11, 24, 13, 30, tzinfo=UTC)
YEARS = timedelta(days=730)


def profile(followers: int) -> Profile:
    return Profile(Platform.TIKTOK, "acct", "@ana", "Ana", followers=followers, following=10, posts_count=30)


def item_count(aws: Settings) -> int:
    table = aws.table_name("metrics")
    return int(
        boto3.client("dynamodb", region_name=aws.aws_region).scan(TableName=table, Select="COUNT")["Count"]
    )


def test_the_same_window_written_twice_is_one_item_with_the_newest_reading(aws: Settings) -> None:
    bind_tables(aws)
    snapshots = SnapshotRepository()
    snapshots.write([ProfileSnapshot("c1", NOW, profile(1000))], YEARS)
    snapshots.write([ProfileSnapshot("c1", NOW + timedelta(hours=2), profile(1010))], YEARS)

    series = snapshots.profile_series("c1", NOW.date() - timedelta(days=1), NOW.date())

    assert item_count(aws) == 1
    assert [s.profile.followers for s in series] == [1010]


def test_post_counters_are_kept_per_six_hour_window(aws: Settings) -> None:
    bind_tables(aws)
    snapshots = SnapshotRepository()
    readings = [
        PostSnapshot("c1", NOW.replace(hour=hour), PostMetrics("p1", views=hour * 100, likes=hour))
        for hour in (1, 5, 7, 13)
    ]
    snapshots.write(readings, YEARS)

    history = snapshots.post_history("c1", "p1")

    assert [s.metrics.views for s in history] == [500, 700, 1300]  # 01h and 05h share the 00-06 window
    assert window_of(SnapshotKind.POST, NOW) == "2026-11-24T12"


def test_two_years_of_daily_profile_readings_come_back_in_one_query(aws: Settings) -> None:
    bind_tables(aws)
    snapshots = SnapshotRepository()
    days = [NOW - timedelta(days=d) for d in range(730)]
    snapshots.write([ProfileSnapshot("c1", day, profile(10_000 + i)) for i, day in enumerate(days)], YEARS)
    calls: list[str] = []
    SnapshotItem._get_connection().connection.client.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
    )

    series = snapshots.profile_series("c1", date(2024, 1, 1), NOW.date())

    assert len(series) == 730
    assert calls == ["Query"]


def test_expired_readings_are_never_returned(aws: Settings) -> None:
    bind_tables(aws)
    snapshots = SnapshotRepository()
    old = NOW - timedelta(days=40)
    snapshots.write([ProfileSnapshot("c1", old, profile(900))], timedelta(days=30))  # expired 10 days ago
    snapshots.write([ProfileSnapshot("c1", NOW, profile(1000))], YEARS)

    series = snapshots.profile_series("c1", old.date(), NOW.date())

    assert [s.profile.followers for s in series] == [1000]


def test_demographics_round_trip_including_not_available(aws: Settings) -> None:
    bind_tables(aws)
    snapshots = SnapshotRepository()
    available = Demographics(
        Platform.INSTAGRAM, genders=(Share("female", 0.6), Share("male", 0.4)), countries=(Share("US", 0.3),)
    )
    snapshots.write([DemographicsSnapshot("c1", NOW - timedelta(days=1), available)], YEARS)
    assert snapshots.latest_demographics("c1") is not None
    withheld = Demographics.not_available(Platform.INSTAGRAM, DemographicsUnavailableReason.BELOW_THRESHOLD)
    snapshots.write([DemographicsSnapshot("c1", NOW, withheld)], YEARS)

    latest = snapshots.latest_demographics("c1")

    assert latest is not None
    assert latest.demographics.unavailable_reason is DemographicsUnavailableReason.BELOW_THRESHOLD
    assert snapshots.latest_demographics("nobody") is None


def test_retention_is_held_within_the_promised_bounds() -> None:
    assert retention(None) == timedelta(days=730)
    assert retention(timedelta(days=1)) == timedelta(days=30)
    assert retention(timedelta(days=5000)) == timedelta(days=1095)
