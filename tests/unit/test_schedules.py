from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from devstack.schedules import Schedule

NOON = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # a Tuesday


def test_rate_is_due_first_time_and_after_each_period() -> None:
    schedule = Schedule("rate(5 minutes)")

    assert schedule.is_due(None, NOON)
    assert not schedule.is_due(NOON, NOON + timedelta(minutes=4))
    assert schedule.is_due(NOON, NOON + timedelta(minutes=5))


@pytest.mark.parametrize(
    ("expression", "moment", "due"),
    [
        ("cron(0 4 * * ? *)", NOON.replace(hour=4), True),
        ("cron(0 4 * * ? *)", NOON, False),
        ("cron(*/15 * * * ? *)", NOON.replace(minute=45), True),
        ("cron(*/15 * * * ? *)", NOON.replace(minute=50), False),
        ("cron(0 12 ? * 3 *)", NOON, True),  # EventBridge: 3 is Tuesday
        ("cron(0 12 ? * 2-2 *)", NOON, False),
    ],
)
def test_cron_matches_like_eventbridge(expression: str, moment: datetime, due: bool) -> None:
    assert Schedule(expression).is_due(None, moment) is due


def test_cron_runs_once_per_matching_minute() -> None:
    schedule = Schedule("cron(* * * * ? *)")

    assert not schedule.is_due(NOON + timedelta(seconds=10), NOON + timedelta(seconds=40))


def test_rejects_what_is_not_a_schedule_expression() -> None:
    with pytest.raises(ValueError, match="not a schedule expression"):
        Schedule("every tuesday").is_due(None, NOON)
