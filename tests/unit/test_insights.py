from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.insights import (
    FollowerMove,
    Point,
    ViralRule,
    engagement_rate,
    follower_move,
    growth,
    is_viral,
    value_at_age,
)

POSTED = datetime(2026, 11, 1, 12, tzinfo=UTC)


def test_value_at_age_is_the_last_reading_before_that_age() -> None:
    history = [Point(POSTED + timedelta(hours=h), views) for h, views in [(1, 10), (6, 200), (30, 900)]]

    assert value_at_age(history, POSTED, timedelta(hours=24)) == 200
    assert value_at_age(history, POSTED, timedelta(minutes=30)) is None


def test_a_post_far_above_the_creators_own_median_is_viral() -> None:
    baseline = [1000, 1200, 900, 1100, 1050, 980]

    assert is_viral(3500, baseline)
    assert not is_viral(3000, baseline)  # 3x the median is not "more than" 3x


def test_viral_needs_enough_history_and_real_numbers() -> None:
    assert not is_viral(50_000, [100, 100])  # too few posts to know the creator's normal
    assert not is_viral(900, [10] * 10)  # tiny absolute numbers are not news


def test_only_the_last_posts_make_the_baseline() -> None:
    old_small = [10] * 30
    recent_big = [10_000] * 20

    assert not is_viral(20_000, old_small + recent_big, ViralRule(baseline_posts=20))


@pytest.mark.parametrize(
    ("yesterday", "today", "move"),
    [
        (1000, 1150, FollowerMove.SPIKE),
        (1000, 850, FollowerMove.DROP),
        (1000, 1050, None),
        (50, 100, None),  # too small an account to call it a spike
        (None, 1000, None),
    ],
)
def test_follower_moves_beyond_the_threshold_are_flagged(
    yesterday: int | None, today: int, move: FollowerMove | None
) -> None:
    assert follower_move(yesterday, today) is move


def test_growth_over_a_window() -> None:
    today = date(2026, 11, 24)
    series = [(today - timedelta(days=d), 10_000 - d * 10) for d in range(40)]

    assert growth(series, 7, today) == 70
    assert growth(series, 30, today) == 300
    assert growth(series, 90, today) is None


def test_engagement_rate_is_interactions_per_view() -> None:
    assert engagement_rate(1000, 50, 20, 30) == 0.1
    assert engagement_rate(None, 50, 20, 30) is None
    assert engagement_rate(1000, None, None, 5) == 0.005
