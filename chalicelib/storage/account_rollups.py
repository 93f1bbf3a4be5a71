"""An account's rollup for the dashboard's account detail (``domain/account_rollup.py``), by key.

Table ``metrics``, one item per connection:

=================  ===========================  ========
item               pk                           sk
=================  ===========================  ========
account rollup     SERIES#<connection>#ROLLUP   ACCOUNT
=================  ===========================  ========

It sits among the connection's counter series, so the deletion worker and the export find it by the
connection's id as they find the series (``storage/personal_data.py``). Access patterns: account
detail reads it with one GetItem; the ingest worker reads it the same way, then writes it back
(``storage/account_rollup_writes.py``). ``expires_at`` is the last sync plus the workspace's
retention, like every timed item, and reads drop follower readings older than that retention.

Compact encoding (JSON strings): ``followers`` ``{"from": "<first day>", "values": [n or null per
day]}`` (at most 1095 numbers, ~7 KB); ``top_posts`` ``{"posts": {id: [...]}, "ranges": {"7d":
[ids]}}``; ``posted`` the creation times (epoch seconds) of the cadence's 12 weeks.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.domain.account_rollup import AccountRollup, PostEntry
from chalicelib.domain.platforms import MediaType, Platform, Post, PostMetrics
from chalicelib.storage.base import get_live
from chalicelib.storage.models import MetricsTable

ROLLUP_SK: Final = "ACCOUNT"
_COUNTS: Final = ("views", "likes", "comments", "shares", "saves", "reach")


class AccountRollupItem(MetricsTable):
    computed_at = UTCDateTimeAttribute()
    retention_days = NumberAttribute()
    followers = UnicodeAttribute()
    top_posts = UnicodeAttribute()
    posted = UnicodeAttribute()


def rollup_key(connection_id: str) -> str:
    return f"SERIES#{connection_id}#ROLLUP"


class AccountRollups:
    def get(self, connection_id: str) -> AccountRollup | None:
        """The connection's rollup (one GetItem); None when there is none yet or it cannot be read."""
        item = get_live(AccountRollupItem, rollup_key(connection_id), ROLLUP_SK)
        return rollup_of(item) if item is not None else None


def rollup_item(connection_id: str, rollup: AccountRollup) -> AccountRollupItem:
    return AccountRollupItem(
        rollup_key(connection_id),
        ROLLUP_SK,
        computed_at=rollup.computed_at,
        retention_days=rollup.retention_days,
        followers=_followers_json(rollup.followers),
        top_posts=_top_posts_json(rollup.top_posts),
        posted=json.dumps([_epoch(moment) for moment in rollup.posted], separators=(",", ":")),
        expires_at=rollup.computed_at + timedelta(days=rollup.retention_days),
    )


def rollup_of(item: AccountRollupItem) -> AccountRollup | None:
    """The stored rollup; None when it cannot be read (the next sync builds it anew)."""
    try:
        return AccountRollup(
            followers=_followers(json.loads(item.followers)),
            retention_days=int(item.retention_days),
            computed_at=item.computed_at,
            top_posts=_top_posts(json.loads(item.top_posts)),
            posted=tuple(datetime.fromtimestamp(float(moment), UTC) for moment in json.loads(item.posted)),
        )
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None


def _followers_json(points: Sequence[tuple[date, int]]) -> str:
    if not points:
        return json.dumps({"from": None, "values": []})
    first = points[0][0]
    values: list[int | None] = [None] * ((points[-1][0] - first).days + 1)
    for day, value in points:
        values[(day - first).days] = value
    return json.dumps({"from": first.isoformat(), "values": values}, separators=(",", ":"))


def _followers(data: dict[str, Any]) -> tuple[tuple[date, int], ...]:
    if not data["values"]:
        return ()
    first = date.fromisoformat(data["from"])
    return tuple(
        (first + timedelta(days=offset), int(value))
        for offset, value in enumerate(data["values"])
        if value is not None
    )


def _top_posts_json(top_posts: dict[str, tuple[PostEntry, ...]]) -> str:
    posts: dict[str, list[Any]] = {}
    for entries in top_posts.values():
        for post, metrics in entries:
            posts[post.id] = [
                post.platform.value,
                post.created_at.astimezone(UTC).isoformat(),
                post.caption_excerpt,
                post.permalink,
                post.media_type.value,
                *(getattr(metrics, name) for name in _COUNTS),
            ]
    ranges = {name: [post.id for post, _ in entries] for name, entries in top_posts.items()}
    return json.dumps({"posts": posts, "ranges": ranges}, separators=(",", ":"), sort_keys=True)


def _top_posts(data: dict[str, Any]) -> dict[str, tuple[PostEntry, ...]]:
    entries: dict[str, PostEntry] = {}
    for post_id, fields in data["posts"].items():
        platform, created, caption, permalink, media_type, *counts = fields
        post = Post(
            Platform(platform),
            post_id,
            datetime.fromisoformat(created),
            caption,
            permalink,
            MediaType(media_type),
        )
        metrics = PostMetrics(
            post_id, **{name: None if n is None else int(n) for name, n in zip(_COUNTS, counts, strict=True)}
        )
        entries[post_id] = (post, metrics)
    return {name: tuple(entries[post_id] for post_id in ids) for name, ids in data["ranges"].items()}


def _epoch(moment: datetime) -> float | int:
    seconds = moment.timestamp()
    return int(seconds) if seconds.is_integer() else seconds
