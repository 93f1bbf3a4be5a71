"""When each kind of data of a connection is due for a sync, and when its next sync should run.

Three parts, each with its own cadence:

* ``PROFILE``: profile counters and new posts (e.g. every 6 h);
* ``COUNTERS``: counters of posts younger than 7 days (e.g. every 2 h), while there are any;
* ``DEMOGRAPHICS``: once a day, at the first sync after an off-peak hour UTC (default 04:00).

A sync does the parts that are due (all of them on a backfill) and records when it did each; the
connection's next sync is the earliest time a part falls due again, plus a jitter that spreads
connections over a share of that gap. The jitter derives from the connection and the due time, so
the same inputs always give the same schedule.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Final


class SyncPart(enum.StrEnum):
    PROFILE = "profile"
    COUNTERS = "counters"
    DEMOGRAPHICS = "demographics"


ALL_PARTS: Final = frozenset(SyncPart)

# A part falling due this soon is done now rather than on a sync of its own: it absorbs the rounding of
# the schedule to whole seconds and small clock differences between the dispatcher and the worker.
GRACE: Final = timedelta(minutes=5)


@dataclass(frozen=True)
class SyncTimes:
    """When each part last ran for one connection; None: never."""

    profile: datetime | None = None
    counters: datetime | None = None
    demographics: datetime | None = None

    def after(self, parts: frozenset[SyncPart], at: datetime) -> SyncTimes:
        return replace(
            self,
            profile=at if SyncPart.PROFILE in parts else self.profile,
            counters=at if SyncPart.COUNTERS in parts else self.counters,
            demographics=at if SyncPart.DEMOGRAPHICS in parts else self.demographics,
        )


@dataclass(frozen=True)
class Cadences:
    profile_every: timedelta = timedelta(hours=6)
    counters_every: timedelta = timedelta(hours=2)
    demographics_hour_utc: int = 4
    jitter: float = 0.1  # a share of the gap to the next due part, added at most

    def __post_init__(self) -> None:
        if self.profile_every <= GRACE or self.counters_every <= GRACE:
            raise ValueError(f"cadences must be longer than {GRACE}")
        if not 0 <= self.demographics_hour_utc <= 23:
            raise ValueError("the demographics hour must be 0-23 (UTC)")
        if not 0 <= self.jitter <= 1:
            raise ValueError("the jitter must be a share from 0 to 1")

    def due(self, times: SyncTimes, now: datetime) -> frozenset[SyncPart]:
        """The parts a sync at ``now`` should do."""
        return frozenset(
            part for part, at in self._due_times(times, counters=True).items() if at <= now + GRACE
        )

    def next_sync_at(
        self, times: SyncTimes, now: datetime, connection_id: str, *, has_recent_posts: bool = True
    ) -> datetime:
        """When to sync next, given what has been done by ``now``. Without posts younger than the
        counters' window there are no counters to follow, so only the other parts set the time."""
        earliest = max(min(self._due_times(times, counters=has_recent_posts).values()), now + GRACE)
        return earliest + (earliest - now) * self.jitter * _spread(connection_id, earliest)

    def _due_times(self, times: SyncTimes, *, counters: bool) -> dict[SyncPart, datetime]:
        never = datetime.min.replace(tzinfo=UTC)
        due = {
            SyncPart.PROFILE: times.profile + self.profile_every if times.profile else never,
            SyncPart.DEMOGRAPHICS: self._demographics_after(times.demographics)
            if times.demographics
            else never,
        }
        if counters:
            due[SyncPart.COUNTERS] = times.counters + self.counters_every if times.counters else never
        return due

    def _demographics_after(self, last: datetime) -> datetime:
        """The first off-peak hour after the last fetch."""
        utc = last.astimezone(UTC)
        same_day = utc.replace(hour=self.demographics_hour_utc, minute=0, second=0, microsecond=0)
        return same_day if same_day > utc else same_day + timedelta(days=1)


def _spread(connection_id: str, moment: datetime) -> float:
    """A number in [0, 1) fixed by the connection and the moment."""
    digest = hashlib.sha256(f"{connection_id}|{moment.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64
