"""The sync's items in DynamoDB's wire format, exactly as the PynamoDB models would put them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.account_rollup import roll_up
from chalicelib.domain.platforms import (
    Demographics,
    DemographicsUnavailableReason,
    MediaType,
    Platform,
    Post,
    PostMetrics,
    Profile,
    Share,
)
from chalicelib.domain.snapshots import DemographicsSnapshot, PostSnapshot, ProfileSnapshot, Snapshot
from chalicelib.storage.account_rollup_writes import WorkerRollups
from chalicelib.storage.account_rollups import rollup_item
from chalicelib.storage.metrics import _item as snapshot_model
from chalicelib.storage.posts import StoredPost
from chalicelib.storage.posts import _item as post_model
from chalicelib.storage.sync_writes import MAX_ITEMS, SyncWrites, post_put, snapshot_put

TAKEN = datetime(2026, 11, 24, 13, 5, 7, 123456, tzinfo=UTC)
EXPIRES = TAKEN + timedelta(days=730, microseconds=999)

SNAPSHOTS: list[Snapshot] = [
    ProfileSnapshot("c1", TAKEN, Profile(Platform.TIKTOK, "a", "maya", None, followers=1200, likes_count=0)),
    ProfileSnapshot("c1", TAKEN, Profile(Platform.YOUTUBE, "a", None, None)),
    PostSnapshot("c1", TAKEN, PostMetrics("p1", views=5000, likes=20, reposts=3)),
    PostSnapshot("c1", TAKEN, PostMetrics("p2")),
    DemographicsSnapshot(
        "c1",
        TAKEN,
        Demographics(
            Platform.INSTAGRAM, genders=(Share("F", 0.61), Share("M", 0.39)), countries=(Share("PT", 1.0),)
        ),
    ),
    DemographicsSnapshot(
        "c1", TAKEN, Demographics.not_available(Platform.TIKTOK, DemographicsUnavailableReason.NOT_OFFERED)
    ),
]


def stored(permalink: str | None, views_at: dict[str, int]) -> StoredPost:
    post = Post(
        platform=Platform.INSTAGRAM,
        id="p1",
        created_at=TAKEN - timedelta(days=3),
        caption_excerpt="Sunday market",
        permalink=permalink,
        media_type=MediaType.VIDEO,
    )
    return StoredPost("c1", post, PostMetrics("p1", views=900, saves=4, reach=700), TAKEN, views_at)


@pytest.mark.parametrize("snapshot", SNAPSHOTS, ids=lambda s: type(s).__name__)
def test_a_snapshot_is_put_as_its_model_would_put_it(snapshot: Snapshot) -> None:
    assert snapshot_put(snapshot, EXPIRES) == snapshot_model(snapshot, EXPIRES).serialize()


@pytest.mark.parametrize(
    "post",
    [stored("https://example.test/p/1", {"6h": 300, "24h": 800}), stored(None, {})],
    ids=["full", "bare"],
)
def test_a_post_is_put_as_its_model_would_put_it(post: StoredPost) -> None:
    assert post_put(post, EXPIRES) == post_model(post, EXPIRES).serialize()


def test_snapshots_and_posts_share_batches_of_at_most_25_items_across_tables() -> None:
    posts = [stored(None, {})] * 30

    batches = SyncWrites().batches(SNAPSHOTS, posts, timedelta(days=90))

    assert [batch.size for batch in batches] == [MAX_ITEMS, len(SNAPSHOTS) + 30 - MAX_ITEMS]
    first = [put["PutRequest"]["Item"]["pk"]["S"] for puts in batches[0].puts.values() for put in puts]
    assert {key.split("#")[0] for key in first} == {"SERIES", "CONNECTION"}  # snapshots and posts together


def test_the_account_rollup_rides_in_the_same_batches_as_its_model_would_put_it() -> None:
    rollup = roll_up([], [(TAKEN.date(), 1200)], [], TAKEN, timedelta(days=90))
    posts = [stored(None, {})] * 30

    batches = SyncWrites().batches(SNAPSHOTS, posts, timedelta(days=90), [WorkerRollups().put("c1", rollup)])

    assert [batch.size for batch in batches] == [MAX_ITEMS, len(SNAPSHOTS) + 31 - MAX_ITEMS]
    last = [put["PutRequest"]["Item"] for puts in batches[-1].puts.values() for put in puts]
    assert rollup_item("c1", rollup).serialize() in last
