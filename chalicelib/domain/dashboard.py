"""Pure rules of the dashboard views: ranges, posting cadence, post ordering and its paging cursor."""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.insights import engagement_rate
from chalicelib.domain.platforms import PostMetrics

RANGES: Final[dict[str, int]] = {"7d": 7, "30d": 30, "90d": 90, "1y": 365, "2y": 730}
DEFAULT_RANGE: Final = "90d"
CADENCE_WEEKS: Final = 12
TOP_POSTS: Final = 5


class PostSort(StrEnum):
    CREATED_AT = "created_at"
    VIEWS = "views"
    LIKES = "likes"
    COMMENTS = "comments"
    SHARES = "shares"
    ENGAGEMENT = "engagement"


class SortOrder(StrEnum):
    DESC = "desc"
    ASC = "asc"


def range_days(name: str, until: date) -> tuple[date, date]:
    """The first and last day of a named range ending ``until`` (both included)."""
    return until - timedelta(days=RANGES[name]), until


@dataclass(frozen=True)
class Cadence:
    posts_last_30d: int
    posts_per_week: float
    weekly: list[tuple[date, int]]  # (Monday of the ISO week, posts), oldest first

    def as_json(self) -> dict[str, Any]:
        return {
            "posts_last_30d": self.posts_last_30d,
            "posts_per_week": self.posts_per_week,
            "weekly": [{"week_start": start.isoformat(), "posts": posts} for start, posts in self.weekly],
        }


def cadence_start(now: datetime) -> date:
    """The Monday that starts the oldest of the cadence's 12 ISO weeks."""
    return now.date() - timedelta(days=now.weekday(), weeks=CADENCE_WEEKS - 1)


def cadence(created: Sequence[datetime], now: datetime) -> Cadence:
    """Posts in the last 30 days (and per week, averaged over them), and per ISO week for 12 weeks."""
    last_30d = sum(1 for moment in created if now - timedelta(days=30) <= moment <= now)
    first = cadence_start(now)
    starts = [first + timedelta(weeks=week) for week in range(CADENCE_WEEKS)]
    counts = dict.fromkeys(starts, 0)
    for moment in created:
        day = moment.date()
        monday = day - timedelta(days=day.weekday())
        if monday in counts:
            counts[monday] += 1
    return Cadence(last_30d, round(last_30d * 7 / 30, 1), [(start, counts[start]) for start in starts])


@dataclass(frozen=True)
class RankedPost:
    """A post as the posts table orders it."""

    id: str
    created_at: datetime
    metrics: PostMetrics

    @property
    def engagement(self) -> float | None:
        m = self.metrics
        return engagement_rate(m.views, m.likes, m.comments, m.shares)

    def value(self, sort: PostSort) -> float | None:
        if sort is PostSort.CREATED_AT:
            return self.created_at.timestamp()
        if sort is PostSort.ENGAGEMENT:
            return self.engagement
        count: int | None = getattr(self.metrics, sort.value)
        return None if count is None else float(count)


@dataclass(frozen=True)
class PostCursor:
    """Where a page ended: the last post's sort value, creation time and id (a keyset, so pages stay
    stable when posts are added), bound to the connection, sort and order it pages."""

    connection_id: str
    sort: PostSort
    order: SortOrder
    value: float | None
    created_at: datetime
    post_id: str

    def encode(self) -> str:
        raw = json.dumps(
            [
                self.connection_id,
                self.sort.value,
                self.order.value,
                self.value,
                self.created_at.isoformat(),
                self.post_id,
            ],
            separators=(",", ":"),
        )
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str, connection_id: str, sort: PostSort, order: SortOrder) -> PostCursor:
        """The cursor's place; refused unless every field has its type (an aware time, a finite
        number or null) and it was issued for this connection, sort and order."""
        try:
            raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
            raise _invalid_cursor() from None
        decoded = _cursor_fields(raw)
        if decoded is None or (decoded.connection_id, decoded.sort, decoded.order) != (
            connection_id,
            sort,
            order,
        ):
            raise _invalid_cursor()
        return decoded


def _cursor_fields(raw: Any) -> PostCursor | None:
    """The cursor a decoded JSON value spells, or None when any field is missing or of another type."""
    if not isinstance(raw, list) or len(raw) != 6:
        return None
    owner, sort_name, order_name, value, created, post_id = raw
    if not all(
        isinstance(field, str) and field for field in (owner, sort_name, order_name, created, post_id)
    ):
        return None
    number: float | None = None
    if value is not None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        try:
            number = float(value)
        except OverflowError:  # an integer too large for a float
            return None
        if not math.isfinite(number):
            return None
    try:
        sort, order, created_at = PostSort(sort_name), SortOrder(order_name), datetime.fromisoformat(created)
    except ValueError:
        return None
    if created_at.utcoffset() is None:  # posts' times are aware; comparing with a naive one fails
        return None
    return PostCursor(owner, sort, order, number, created_at, post_id)


def _invalid_cursor() -> InvalidInputError:
    return InvalidInputError(
        "The paging cursor is not valid for this list; start again without it.", code="invalid_cursor"
    )


def order_posts(posts: Sequence[RankedPost], sort: PostSort, order: SortOrder) -> list[RankedPost]:
    """Posts in the requested order; posts without the value (e.g. no views) come last either way."""
    reverse = order is SortOrder.DESC
    present = [p for p in posts if p.value(sort) is not None]
    missing = [p for p in posts if p.value(sort) is None]
    present.sort(key=lambda p: (p.value(sort), p.created_at, p.id), reverse=reverse)
    missing.sort(key=lambda p: (p.created_at, p.id), reverse=reverse)
    return present + missing


def page_of(
    ordered: Sequence[RankedPost], after: PostCursor | None, limit: int
) -> tuple[list[RankedPost], RankedPost | None]:
    """The page after ``after`` and, when more follow, the post the next cursor names."""
    start = 0
    if after is not None:
        start = next((i for i, post in enumerate(ordered) if _follows(post, after)), len(ordered))
    page = list(ordered[start : start + limit])
    more = start + limit < len(ordered)
    return page, (page[-1] if more and page else None)


def _follows(post: RankedPost, cursor: PostCursor) -> bool:
    value = post.value(cursor.sort)
    if (value is None) != (cursor.value is None):
        return value is None  # posts without the value come after every post with it
    mine: tuple[Any, ...] = (post.created_at, post.id)
    theirs: tuple[Any, ...] = (cursor.created_at, cursor.post_id)
    if value is not None:
        mine, theirs = (value, *mine), (cursor.value, *theirs)
    return mine < theirs if cursor.order is SortOrder.DESC else mine > theirs


def top_posts(posts: Sequence[RankedPost], count: int = TOP_POSTS) -> list[RankedPost]:
    """The most viewed posts (ties broken by engagement); posts without views are not ranked."""
    viewed = [p for p in posts if p.metrics.views is not None]
    viewed.sort(key=lambda p: (p.metrics.views or 0, p.engagement or 0.0), reverse=True)
    return viewed[:count]
