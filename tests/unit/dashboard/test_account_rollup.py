"""The account rollup: follower readings kept over the retention, top posts per range, the cadence's
posts, and their compact stored form."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

from chalicelib.domain.account_rollup import CANDIDATES, kept_followers, roll_up
from chalicelib.domain.dashboard import RANGES, RankedPost, cadence, top_posts
from chalicelib.domain.platforms import MediaType, Platform, Post, PostMetrics
from chalicelib.storage.account_rollups import rollup_item, rollup_of

NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)  # a Wednesday
TODAY = NOW.date()


def day(back: int) -> date:
    return TODAY - timedelta(days=back)


def entry(i: int, hours_ago: float, views: int | None) -> tuple[Post, PostMetrics]:
    post = Post(
        Platform.TIKTOK,
        f"p{i:03d}",
        NOW - timedelta(hours=hours_ago),
        f"caption {i}",
        f"https://t.example/{i}",
        MediaType.VIDEO,
    )
    return post, PostMetrics(post.id, views=views, likes=i % 11, comments=i % 3, shares=1, saves=None)


def test_new_readings_replace_the_same_days_and_days_past_the_retention_are_dropped() -> None:
    previous = [(day(back), 1000 - back) for back in range(40, 0, -1)]

    kept = kept_followers(previous, [(day(2), 5), (day(0), 7)], TODAY, timedelta(days=30))

    assert kept[0] == (day(30), 970)
    assert dict(kept)[day(2)] == 5
    assert kept[-1] == (day(0), 7)
    assert [d for d, _ in kept] == sorted(d for d, _ in kept)


def test_reads_drop_readings_older_than_the_retention_and_keep_both_ends_of_the_range() -> None:
    rollup = roll_up([(day(back), back) for back in range(1, 100)], [(TODAY, 0)], [], NOW, timedelta(days=60))

    assert rollup.followers_between(day(7), TODAY) == [(day(back), back) for back in range(7, -1, -1)]
    later = rollup.followers_between(day(90) + timedelta(days=3), TODAY + timedelta(days=3))
    assert later[0] == (day(57), 57)  # 60 days before the later day, not 60 before the sync


def test_each_range_keeps_its_most_viewed_posts_as_the_view_ranks_them() -> None:
    posts = [
        entry(i, hours_ago=20 * i + 1, views=None if i % 13 == 0 else (i * 37) % 211) for i in range(300)
    ]

    rollup = roll_up([], [], posts, NOW, timedelta(days=730))

    for name, days in RANGES.items():
        since = TODAY - timedelta(days=days)
        in_range = sorted(
            (RankedPost(p.id, p.created_at, m) for p, m in posts if p.created_at.date() >= since),
            key=lambda r: r.created_at,
            reverse=True,
        )
        expected = [r.id for r in top_posts(in_range, CANDIDATES)]
        assert [p.id for p, _ in rollup.top_posts[name]] == expected, name
        assert [p.id for p, _ in rollup.top_posts_since(name, since)] == expected[:5], name


def test_a_post_that_left_the_range_since_the_sync_gives_way_to_the_next_one() -> None:
    old_hit = entry(1, hours_ago=24 * 6.5, views=9000)
    others = [entry(i, hours_ago=i, views=100 * i) for i in range(2, 9)]
    rollup = roll_up([], [], [old_hit, *others], NOW, timedelta(days=730))

    two_days_later = TODAY + timedelta(days=2) - timedelta(days=7)
    shown = [p.id for p, _ in rollup.top_posts_since("7d", two_days_later)]

    assert "p001" not in shown
    assert shown == ["p008", "p007", "p006", "p005", "p004"]


def test_the_cadence_from_the_rollup_equals_the_cadence_of_all_posts_later_too() -> None:
    posts = [entry(i, hours_ago=13 * i, views=i) for i in range(400)]
    rollup = roll_up([], [], posts, NOW, timedelta(days=730))

    for later in (NOW, NOW + timedelta(hours=20), NOW + timedelta(days=8)):
        assert cadence(rollup.posted, later) == cadence([p.created_at for p, _ in posts], later)


def test_the_stored_form_reads_back_equal_and_is_compact() -> None:
    tokyo = timezone(timedelta(hours=9))
    posts = [entry(i, hours_ago=17 * i + 0.5, views=i * 3) for i in range(200)]
    posts.append(
        (Post(Platform.TIKTOK, "jp", NOW.astimezone(tokyo), "x", None, MediaType.IMAGE), PostMetrics("jp"))
    )
    readings = [(day(back), 50_000 - back) for back in range(1095) if back % 17]
    rollup = roll_up(readings, [], posts, NOW, timedelta(days=1095))

    item = rollup_item("conn", rollup)
    back = rollup_of(item)

    assert back == rollup
    assert item.pk == "SERIES#conn#ROLLUP"
    assert item.expires_at == NOW + timedelta(days=1095)
    assert len(item.followers) < 8_000
    assert len(json.loads(item.followers)["values"]) == 1094  # oldest to yesterday, gaps as null


def test_an_unreadable_stored_rollup_reads_as_none() -> None:
    item = rollup_item("conn", roll_up([], [], [], NOW, timedelta(days=30)))
    item.followers = "{not json"

    assert rollup_of(item) is None
