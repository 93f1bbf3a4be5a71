"""The headline numbers the ingest worker stores after each sync."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from chalicelib.domain.platforms import PostMetrics
from chalicelib.domain.summary import AccountStats, summarize

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
TODAY = NOW.date()


def daily(days: int, start: int, step: int) -> list[tuple[date, int]]:
    """``days`` readings ending today, followers growing by ``step`` a day."""
    return [(TODAY - timedelta(days=days - 1 - i), start + i * step) for i in range(days)]


def test_growth_is_the_change_since_the_reading_that_many_days_ago() -> None:
    stats = summarize(daily(120, 1000, 10), [], NOW)

    assert stats.followers == 1000 + 119 * 10
    assert stats.growth == {7: 70, 30: 300, 90: 900}


def test_growth_is_unknown_without_a_reading_that_far_back() -> None:
    stats = summarize(daily(10, 500, -3), [], NOW)

    assert stats.growth == {7: -21, 30: None, 90: None}


def test_engagement_counts_only_posts_of_the_last_30_days_that_have_views() -> None:
    posts = [
        (NOW - timedelta(days=1), PostMetrics("a", views=1000, likes=50, comments=20, shares=30)),
        (NOW - timedelta(days=10), PostMetrics("b", views=1000, likes=0, comments=0, shares=0)),
        (NOW - timedelta(days=40), PostMetrics("old", views=10, likes=10, comments=0, shares=0)),
        (NOW - timedelta(days=2), PostMetrics("no-views", views=None, likes=99)),
    ]

    assert summarize([], posts, NOW).engagement_rate == 0.05


def test_no_views_means_no_engagement_rate_and_no_readings_mean_no_followers() -> None:
    stats = summarize([], [(NOW, PostMetrics("a", views=0, likes=3))], NOW)

    assert (stats.followers, stats.engagement_rate) == (None, None)
    assert stats.growth == {7: None, 30: None, 90: None}


def test_the_stored_form_reads_back_and_a_damaged_one_reads_as_none() -> None:
    stats = summarize(daily(100, 10, 1), [(NOW, PostMetrics("a", views=10, likes=1))], NOW)

    assert AccountStats.from_json(stats.to_json()) == stats
    assert AccountStats.from_json("{not json") is None
    assert AccountStats.from_json(None) is None
