from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.sync_cadence import ALL_PARTS, GRACE, Cadences, SyncPart, SyncTimes

NOON = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
CADENCES = Cadences(
    profile_every=timedelta(hours=6), counters_every=timedelta(hours=2), demographics_hour_utc=4, jitter=0
)
ALL_AT_NOON = SyncTimes(profile=NOON, counters=NOON, demographics=NOON)


def test_a_connection_never_synced_is_due_for_everything() -> None:
    assert CADENCES.due(SyncTimes(), NOON) == ALL_PARTS


def test_between_cadences_only_the_recent_posts_counters_are_due() -> None:
    assert CADENCES.due(ALL_AT_NOON, NOON + timedelta(hours=2)) == {SyncPart.COUNTERS}


def test_profile_and_counters_are_due_together_at_the_profile_cadence() -> None:
    assert CADENCES.due(ALL_AT_NOON, NOON + timedelta(hours=6)) == {SyncPart.PROFILE, SyncPart.COUNTERS}


def test_nothing_is_due_before_the_shortest_cadence() -> None:
    assert CADENCES.due(ALL_AT_NOON, NOON + timedelta(hours=1)) == frozenset()


def test_a_part_due_within_the_grace_is_done_now() -> None:
    almost = NOON + timedelta(hours=2) - GRACE + timedelta(seconds=1)

    assert CADENCES.due(ALL_AT_NOON, almost) == {SyncPart.COUNTERS}


def test_demographics_come_once_a_day_at_the_first_sync_after_the_off_peak_hour() -> None:
    fetched = SyncTimes(profile=NOON, counters=NOON, demographics=NOON)
    next_day = NOON.replace(day=25)

    assert SyncPart.DEMOGRAPHICS not in CADENCES.due(fetched, next_day.replace(hour=3))
    assert SyncPart.DEMOGRAPHICS in CADENCES.due(fetched, next_day.replace(hour=4, minute=10))
    # Fetched at 03:00 on a first connect: 04:00 the same day is the next time.
    early = SyncTimes(demographics=NOON.replace(hour=3))
    assert SyncPart.DEMOGRAPHICS in CADENCES.due(early, NOON.replace(hour=4))


def test_the_next_sync_is_when_the_earliest_part_falls_due() -> None:
    assert CADENCES.next_sync_at(ALL_AT_NOON, NOON, "c1") == NOON + timedelta(hours=2)


def test_without_recent_posts_the_counters_do_not_set_the_next_sync() -> None:
    next_at = CADENCES.next_sync_at(ALL_AT_NOON, NOON, "c1", has_recent_posts=False)

    assert next_at == NOON + timedelta(hours=6)


def test_demographics_set_the_next_sync_when_the_off_peak_hour_comes_first() -> None:
    evening = NOON.replace(hour=23)
    synced = SyncTimes(profile=evening, counters=evening, demographics=evening)
    cadences = Cadences(profile_every=timedelta(hours=24), counters_every=timedelta(hours=24), jitter=0)

    assert cadences.next_sync_at(synced, evening, "c1") == datetime(2026, 11, 25, 4, 0, tzinfo=UTC)


def test_jitter_is_a_share_of_the_gap_fixed_by_connection_and_time() -> None:
    cadences = Cadences(jitter=0.1)
    gap = timedelta(hours=2)

    firsts = {c: cadences.next_sync_at(ALL_AT_NOON, NOON, c) for c in ("c1", "c2", "c3", "c4")}

    assert all(NOON + gap <= at <= NOON + gap * 1.1 for at in firsts.values())
    assert len(set(firsts.values())) == 4  # spread out
    assert firsts == {c: cadences.next_sync_at(ALL_AT_NOON, NOON, c) for c in firsts}  # deterministic


def test_the_next_sync_is_never_in_the_past() -> None:
    stale = SyncTimes(profile=NOON - timedelta(days=3), counters=NOON - timedelta(days=3))

    assert CADENCES.next_sync_at(stale, NOON, "c1") >= NOON + GRACE


def test_times_after_a_sync_move_only_the_parts_it_did() -> None:
    later = NOON + timedelta(hours=2)

    after = ALL_AT_NOON.after(frozenset({SyncPart.COUNTERS}), later)

    assert after == SyncTimes(profile=NOON, counters=later, demographics=NOON)


@pytest.mark.parametrize(
    "values",
    [
        {"profile_every": timedelta(minutes=1)},
        {"demographics_hour_utc": 24},
        {"jitter": 1.5},
    ],
)
def test_rejects_cadences_that_cannot_work(values: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Cadences(**values)  # type: ignore[arg-type]
