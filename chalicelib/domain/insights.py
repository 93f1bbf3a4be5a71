"""Pure rules over metric histories: growth, engagement, viral posts, follower spikes and drops."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum


@dataclass(frozen=True)
class Point:
    """One reading of a counter."""

    at: datetime
    value: int


class FollowerMove(StrEnum):
    SPIKE = "follower_spike"
    DROP = "follower_drop"


@dataclass(frozen=True)
class ViralRule:
    """A post is viral when its views beat ``multiple`` times the median of the creator's last
    ``baseline_posts`` posts at the same age, and at least ``min_views``."""

    multiple: float = 3.0
    baseline_posts: int = 20
    min_baseline_posts: int = 5
    min_views: int = 1000


@dataclass(frozen=True)
class FollowerRule:
    """A day-over-day change beyond ``threshold`` (a share of yesterday's followers) is news,
    for accounts of at least ``min_followers``."""

    threshold: float = 0.10
    min_followers: int = 100


def value_at_age(history: Sequence[Point], created_at: datetime, age: timedelta) -> int | None:
    """The counter as it stood ``age`` after the post was created: the last reading at or before then."""
    cutoff = created_at + age
    readings = [point for point in history if point.at <= cutoff]
    return max(readings, key=lambda point: point.at).value if readings else None


def is_viral(views: int, baseline: Sequence[int], rule: ViralRule = ViralRule()) -> bool:
    recent = list(baseline)[-rule.baseline_posts :]
    if views < rule.min_views or len(recent) < rule.min_baseline_posts:
        return False
    return views > rule.multiple * max(statistics.median(recent), 1)


def views_multiple(views: int, baseline: Sequence[int], rule: ViralRule = ViralRule()) -> float:
    """How many times the creator's usual views (the baseline's median) a post has, to one decimal."""
    recent = list(baseline)[-rule.baseline_posts :]
    usual = max(statistics.median(recent), 1) if recent else 1
    return round(views / usual, 1)


def follower_move(
    yesterday: int | None, today: int | None, rule: FollowerRule = FollowerRule()
) -> FollowerMove | None:
    if yesterday is None or today is None or yesterday < rule.min_followers:
        return None
    change = (today - yesterday) / yesterday
    if change >= rule.threshold:
        return FollowerMove.SPIKE
    if change <= -rule.threshold:
        return FollowerMove.DROP
    return None


def growth(series: Sequence[tuple[date, int]], days: int, today: date) -> int | None:
    """Followers gained over the last ``days`` days (negative when lost); None without a reading then."""
    if not series:
        return None
    ordered = sorted(series)
    latest = ordered[-1][1]
    since = today - timedelta(days=days)
    earlier = [value for day, value in ordered if day <= since]
    return latest - earlier[-1] if earlier else None


def engagement_rate(
    views: int | None, likes: int | None, comments: int | None, shares: int | None
) -> float | None:
    """Interactions per view; None when the platform gives no views."""
    if not views:
        return None
    interactions = sum(count or 0 for count in (likes, comments, shares))
    return round(interactions / views, 4)
