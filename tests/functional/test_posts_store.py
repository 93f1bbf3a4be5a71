"""Posts as last seen: newest first in one query, latest counters, milestones recorded once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.domain.platforms import MediaType, Platform, Post, PostMetrics
from chalicelib.settings import Settings
from chalicelib.storage.base import bind_tables
from chalicelib.storage.posts import PostRepository, StoredPost

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
RETAIN = timedelta(days=730)


def post(number: int, age: timedelta) -> Post:
    return Post(Platform.TIKTOK, f"p{number}", NOW - age, f"post {number}", None, MediaType.VIDEO)


def test_posts_come_back_newest_first_with_their_latest_counters(aws: Settings) -> None:
    bind_tables(aws)
    posts = PostRepository()
    stored = [
        StoredPost("c1", post(n, timedelta(days=n)), PostMetrics(f"p{n}", views=n * 10), NOW)
        for n in range(1, 6)
    ]
    posts.save(stored, RETAIN)
    posts.save([stored[0].with_reading(PostMetrics("p1", views=999), NOW + timedelta(hours=1))], RETAIN)

    recent = posts.recent("c1")

    assert [p.post.id for p in recent] == ["p1", "p2", "p3", "p4", "p5"]
    assert recent[0].metrics.views == 999
    assert len(recent) == 5


def test_a_milestone_is_recorded_the_first_time_a_post_passes_it_and_never_overwritten(aws: Settings) -> None:
    bind_tables(aws)
    young = StoredPost("c1", post(1, timedelta(hours=5)), PostMetrics("p1", views=100), NOW)

    at_7h = young.with_reading(PostMetrics("p1", views=400), NOW + timedelta(hours=2))
    at_30h = at_7h.with_reading(PostMetrics("p1", views=2000), NOW + timedelta(hours=25))

    assert young.views_at == {}
    assert at_7h.views_at == {"6h": 400}
    assert at_30h.views_at == {"6h": 400, "24h": 2000}
    PostRepository().save([at_30h], RETAIN)
    assert PostRepository().recent("c1")[0].views_at == {"6h": 400, "24h": 2000}
