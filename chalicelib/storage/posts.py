"""Posts as last seen: metadata, latest counters and views at fixed ages (for viral detection).

Table ``posts``: pk ``CONNECTION#<id>``, sk ``POST#<created, ISO UTC>#<post id>``, so one Query
returns a connection's posts newest first (500 posts fit in one or two pages). The counters'
history lives in the metrics table; here each post keeps its latest counters and its views at
6 h, 24 h, 72 h and 7 days, recorded the first time a sync sees it past that age.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Final

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.domain.platforms import MediaType, Platform, Post, PostMetrics
from chalicelib.storage.base import live_condition
from chalicelib.storage.models import PostsTable

MILESTONES: Final[Mapping[str, timedelta]] = {
    "6h": timedelta(hours=6),
    "24h": timedelta(hours=24),
    "72h": timedelta(hours=72),
    "7d": timedelta(days=7),
}


@dataclass(frozen=True)
class StoredPost:
    connection_id: str
    post: Post
    metrics: PostMetrics
    seen_at: datetime
    views_at: dict[str, int] = field(default_factory=dict)

    def with_reading(self, metrics: PostMetrics, now: datetime) -> StoredPost:
        """The post after a new reading: latest counters, and any milestone it has just passed."""
        views_at = dict(self.views_at)
        age = now - self.post.created_at
        for name, milestone in MILESTONES.items():
            if age >= milestone and name not in views_at and metrics.views is not None:
                views_at[name] = metrics.views
        return replace(self, metrics=metrics, seen_at=now, views_at=views_at)


class PostItem(PostsTable):
    post_id = UnicodeAttribute()
    platform = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    caption_excerpt = UnicodeAttribute(default="")
    permalink = UnicodeAttribute(null=True)
    media_type = UnicodeAttribute()
    seen_at = UTCDateTimeAttribute()
    views = NumberAttribute(null=True)
    likes = NumberAttribute(null=True)
    comments = NumberAttribute(null=True)
    shares = NumberAttribute(null=True)
    saves = NumberAttribute(null=True)
    reach = NumberAttribute(null=True)
    views_at: MapAttribute[str, Any] = MapAttribute(default=dict)


def post_sort_key(post: Post) -> str:
    return f"POST#{post.created_at.isoformat()}#{post.id}"


class PostRepository:
    def recent(self, connection_id: str, limit: int = 500) -> list[StoredPost]:
        """A connection's posts, newest first."""
        items = PostItem.query(
            f"CONNECTION#{connection_id}",
            PostItem.sk.startswith("POST#"),
            filter_condition=live_condition(PostItem),
            scan_index_forward=False,
            limit=limit,
        )
        return [_stored(connection_id, item) for item in items]

    def save(self, posts: Iterable[StoredPost], retention: timedelta) -> int:
        written = 0
        with PostItem.batch_write() as batch:
            for stored in posts:
                batch.save(_item(stored, stored.seen_at + retention))
                written += 1
        return written


def _item(stored: StoredPost, expires_at: datetime) -> PostItem:
    post, metrics = stored.post, stored.metrics
    return PostItem(
        f"CONNECTION#{stored.connection_id}",
        post_sort_key(post),
        post_id=post.id,
        platform=post.platform.value,
        created_at=post.created_at,
        caption_excerpt=post.caption_excerpt,
        permalink=post.permalink,
        media_type=post.media_type.value,
        seen_at=stored.seen_at,
        views=metrics.views,
        likes=metrics.likes,
        comments=metrics.comments,
        shares=metrics.shares,
        saves=metrics.saves,
        reach=metrics.reach,
        views_at=dict(stored.views_at),
        expires_at=expires_at,
    )


def _number(value: float | None) -> int | None:
    return None if value is None else int(value)


def _stored(connection_id: str, item: PostItem) -> StoredPost:
    post = Post(
        platform=Platform(item.platform),
        id=item.post_id,
        created_at=item.created_at,
        caption_excerpt=item.caption_excerpt,
        permalink=item.permalink,
        media_type=MediaType(item.media_type),
    )
    metrics = PostMetrics(
        post_id=item.post_id,
        views=_number(item.views),
        likes=_number(item.likes),
        comments=_number(item.comments),
        shares=_number(item.shares),
        saves=_number(item.saves),
        reach=_number(item.reach),
    )
    raw: dict[str, Any] = item.views_at.as_dict() if item.views_at else {}
    views_at = {str(name): int(value) for name, value in raw.items()}
    return StoredPost(connection_id, post, metrics, item.seen_at, views_at)
