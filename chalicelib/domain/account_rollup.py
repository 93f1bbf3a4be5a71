"""What account detail shows, kept by the ingest worker so that a request reads it by key.

Account detail shows a range of daily follower readings (up to two years), the posting cadence of the
last 12 weeks and the range's most viewed posts. Read per request, that is a Query of up to 731
profile readings and one of up to 500 posts, each costing per item returned. The worker holds the
account's posts and today's reading after every sync, so it keeps one rollup per account:

* the daily follower readings of the workspace's retention window (at most 1095), merged into the
  previous rollup each sync (today's reading added, the days the worker read back rewritten, days
  older than the retention dropped);
* per range, the most viewed posts created within it at the sync (ranked as the view ranks them),
  twice as many as the view shows, so that a post leaving the range as days pass is replaced by the
  next one;
* the creation times of the posts of the cadence's 12 weeks.

The view filters all three by the request's day, so it answers what a read of the series and the
posts would, for the posts and counters known at the last sync.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Final

from chalicelib.domain.dashboard import RANGES, TOP_POSTS, RankedPost, cadence_start, top_posts
from chalicelib.domain.platforms import Post, PostMetrics

CANDIDATES: Final = 2 * TOP_POSTS  # ranked posts kept per range

PostEntry = tuple[Post, PostMetrics]


@dataclass(frozen=True)
class AccountRollup:
    followers: tuple[tuple[date, int], ...]  # daily readings, oldest first
    retention_days: int
    computed_at: datetime
    top_posts: dict[str, tuple[PostEntry, ...]] = field(default_factory=dict)  # range -> ranked
    posted: tuple[datetime, ...] = ()  # creation times since the cadence's first week at the sync

    def followers_between(self, since: date, until: date) -> list[tuple[date, int]]:
        """Readings from ``since`` to ``until`` (both included), none older than the retention."""
        oldest = max(since, until - timedelta(days=self.retention_days))
        return [(day, value) for day, value in self.followers if oldest <= day <= until]

    def top_posts_since(self, range_name: str, since: date) -> list[PostEntry]:
        """The range's most viewed posts still created on or after ``since``, best first."""
        ranked = self.top_posts.get(range_name, ())
        return [entry for entry in ranked if entry[0].created_at.date() >= since][:TOP_POSTS]


def kept_followers(
    previous: Iterable[tuple[date, int]],
    readings: Iterable[tuple[date, int]],
    today: date,
    retention: timedelta,
) -> tuple[tuple[date, int], ...]:
    """The previous readings with ``readings`` written over them, none older than the retention."""
    oldest = today - timedelta(days=retention.days)
    days = dict(previous)
    days.update(readings)
    return tuple(sorted((day, value) for day, value in days.items() if day >= oldest))


def roll_up(
    previous: Iterable[tuple[date, int]],
    readings: Iterable[tuple[date, int]],
    posts: Iterable[PostEntry],
    now: datetime,
    retention: timedelta,
) -> AccountRollup:
    """The rollup after a sync: ``previous`` follower readings (the last rollup's, or the profile
    series read once), ``readings`` (those read back this sync, and today's), the account's posts."""
    today = now.date()
    entries = {post.id: _normalized(post, metrics) for post, metrics in posts}
    # Newest first, as a read of the posts returns them: ties in rank keep that order.
    newest_first = sorted(entries.values(), key=lambda e: (e[0].created_at, e[0].id), reverse=True)
    ranked = [RankedPost(post.id, post.created_at, metrics) for post, metrics in newest_first]
    tops: dict[str, tuple[PostEntry, ...]] = {}
    for name, days in RANGES.items():
        since = today - timedelta(days=days)
        in_range = [post for post in ranked if post.created_at.date() >= since]
        tops[name] = tuple(entries[post.id] for post in top_posts(in_range, CANDIDATES))
    first_week = cadence_start(now)
    posted = tuple(post.created_at for post, _ in newest_first if post.created_at.date() >= first_week)
    return AccountRollup(
        followers=kept_followers(previous, readings, today, retention),
        retention_days=retention.days,
        computed_at=now,
        top_posts=tops,
        posted=posted,
    )


def _normalized(post: Post, metrics: PostMetrics) -> PostEntry:
    """The post and counters as the posts table gives them back: UTC times, whole counts."""

    def whole(value: float | None) -> int | None:
        return None if value is None else int(value)

    stored = replace(post, created_at=post.created_at.astimezone(UTC), metrics=None)
    counts = PostMetrics(
        post_id=post.id,
        views=whole(metrics.views),
        likes=whole(metrics.likes),
        comments=whole(metrics.comments),
        shares=whole(metrics.shares),
        saves=whole(metrics.saves),
        reach=whole(metrics.reach),
    )
    return stored, counts
