"""An account's headline numbers, computed by the ingest worker after each sync.

The roster shows growth over 7, 30 and 90 days and an engagement rate for every account. Computing
them per request would read 90 days of snapshots and a month of posts per account, so the worker
computes them once per sync from what it already holds and stores them on the connection.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from chalicelib.domain.insights import engagement_rate, growth
from chalicelib.domain.platforms import PostMetrics

GROWTH_DAYS: Final = (7, 30, 90)
ENGAGEMENT_WINDOW: Final = timedelta(days=30)
HISTORY_DAYS: Final = max(GROWTH_DAYS) + 1  # profile readings the worker reads back for the summary


@dataclass(frozen=True)
class AccountStats:
    followers: int | None
    growth: dict[int, int | None]  # days -> followers gained (negative when lost); None: no reading then
    engagement_rate: float | None
    computed_at: datetime

    def to_json(self) -> str:
        return json.dumps(
            {
                "followers": self.followers,
                "growth": {str(days): value for days, value in self.growth.items()},
                "engagement_rate": self.engagement_rate,
                "computed_at": self.computed_at.isoformat(),
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, raw: str | None) -> AccountStats | None:
        """The stored summary; None when there is none or it cannot be read (the next sync rewrites it)."""
        if not raw:
            return None
        try:
            data: dict[str, Any] = json.loads(raw)
            return cls(
                followers=_int(data.get("followers")),
                growth={days: _int(data.get("growth", {}).get(str(days))) for days in GROWTH_DAYS},
                engagement_rate=None
                if data.get("engagement_rate") is None
                else float(data["engagement_rate"]),
                computed_at=datetime.fromisoformat(data["computed_at"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None


def summarize(
    series: Sequence[tuple[date, int]],
    posts: Sequence[tuple[datetime, PostMetrics]],
    now: datetime,
) -> AccountStats:
    """Headline numbers from daily follower readings (today's included) and the account's posts."""
    today = now.date()
    latest = max(series)[1] if series else None
    return AccountStats(
        followers=latest,
        growth={days: growth(series, days, today) for days in GROWTH_DAYS},
        engagement_rate=engagement_over(posts, now - ENGAGEMENT_WINDOW),
        computed_at=now,
    )


def engagement_over(posts: Sequence[tuple[datetime, PostMetrics]], since: datetime) -> float | None:
    """The engagement rate of the posts created since ``since`` taken together (posts without
    views left out); None without views."""
    counted = [metrics for created_at, metrics in posts if created_at >= since and metrics.views]

    def total(name: str) -> int:
        return sum(getattr(metrics, name) or 0 for metrics in counted)

    return engagement_rate(total("views"), total("likes"), total("comments"), total("shares"))


def _int(value: Any) -> int | None:
    return None if value is None else int(value)
