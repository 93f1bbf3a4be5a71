"""Client-side rate limits: a token bucket per (platform, endpoint class) and a cap on calls in flight.

What the contracts (``/work/shared/platforms/*.md``) document, and what this module makes of it:

* **TikTok**: 600 requests per 1-minute sliding window for each Display API endpoint, "each API
  counted separately" (``/v2/user/info/``, ``/v2/video/list/``, ``/v2/video/query/``): one bucket
  per endpoint path. Whether the 600 is per app or per token is not stated; per app is the reading
  that cannot be exceeded by either. The OAuth endpoints have no documented limit: no bucket.
* **YouTube**: 10 000 quota units a day per *project*, 1 unit per list call (every page counts), shared
  by every Data API method: one bucket for ``/youtube/v3/*``, paced over the day. The Analytics API
  and Google's OAuth endpoints have no documented quota in the contract: no bucket.
* **Facebook, Instagram, Threads**: no fixed rate (app calls per hour = 200 x daily active users;
  business use case calls per day = 4800 x engaged users or impressions), only usage headers: no
  bucket by default, so the engine's reactive pause on ``X-App-Usage`` / ``X-Business-Use-Case-Usage``
  governs. A rate can still be configured (one bucket per platform for all its Graph calls).

Every platform also has a cap on its calls in flight, so one slow or throttled platform never holds
all of an invocation's connections while the other platforms' records wait.

**These limits are per container.** Lambda containers share no memory, so N warm ingest workers may
together send N times a bucket's rate. They are still the right first line: a batch of ten records
fans out to many calls within a second, and without a local bucket those bursts are what reach a
platform's window; the bucket spreads them at the documented pace, so one container never trips a
limit by itself and the platform sees a smooth rate rather than spikes. What remains (several
containers together, limits that depend on a platform's own counts) is left to the second line, the
reactive one in :mod:`chalicelib.platforms.http`: 429s with ``Retry-After``, Meta's usage headers, and
the SQS redelivery of a message whose wait would pass the invocation's deadline. A shared counter
(DynamoDB, ElastiCache) would cost a round trip per platform call to guard against what the reactive
line already handles; the ingest worker's reserved concurrency is the knob that bounds N.

A bucket of ``calls`` per ``seconds`` holds at most a tenth of ``calls`` (at least 1) and refills at
``(calls - burst) / seconds``, so no window of ``seconds`` ever sees more than ``calls`` from it: a full
bucket's burst plus a window's refill. Waits are *reservations*: the caller is told how long to wait
for its token and the token is its own at once, so calls queue in order and the bucket never polls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx

from chalicelib.domain.platforms import Platform
from chalicelib.platforms.base import Call, Dialect

__all__ = [
    "DEFAULT_LIMITS",
    "PlatformLimit",
    "RateLimits",
    "TokenBucket",
    "endpoint_class",
    "limits_from_settings",
]

# The share of a window's calls a full bucket lets through at once.
BURST_SHARE = 0.1
_ROUNDING = 1e-9


@dataclass(frozen=True)
class PlatformLimit:
    """One platform's client-side limits: ``calls`` per ``seconds`` per endpoint class (0 = no bucket,
    the reactive backoff alone), and at most ``in_flight`` of its calls at once."""

    calls: int
    seconds: int
    in_flight: int = 24

    @property
    def burst(self) -> int:
        """A tenth of the window's calls, but never more than a tenth of an hour's share: a day's quota
        (YouTube) must not go in the bursts of a few fresh containers."""
        hourly = self.calls * min(1.0, 3600 / self.seconds)
        return max(1, int(hourly * BURST_SHARE))

    @property
    def per_second(self) -> float:
        return max(self.calls - self.burst, 1) / self.seconds


# Documented limits (see the module docstring); CREATORDECK_PLATFORM_RATE_LIMITS overrides them.
# 24 in flight of the ingest worker's 32: one platform never takes every slot from the others.
DEFAULT_LIMITS: Mapping[Platform, PlatformLimit] = {
    Platform.TIKTOK: PlatformLimit(calls=600, seconds=60),
    Platform.YOUTUBE: PlatformLimit(calls=10_000, seconds=86_400),
    Platform.FACEBOOK: PlatformLimit(calls=0, seconds=3600),
    Platform.INSTAGRAM: PlatformLimit(calls=0, seconds=3600),
    Platform.THREADS: PlatformLimit(calls=0, seconds=3600),
}


def limits_from_settings(overrides: Mapping[str, Mapping[str, int]]) -> dict[Platform, PlatformLimit]:
    """The documented limits with the settings' overrides (already validated) applied key by key."""
    limits = dict(DEFAULT_LIMITS)
    for name, values in overrides.items():
        platform = Platform(name)
        default = limits[platform]
        limits[platform] = PlatformLimit(
            calls=values.get("calls", default.calls),
            seconds=values.get("seconds", default.seconds),
            in_flight=values.get("in_flight", default.in_flight),
        )
    return limits


def endpoint_class(call: Call) -> str | None:
    """The bucket a call draws from within its platform, or None for calls no limit is documented for."""
    path = httpx.URL(call.url).path
    if call.dialect is Dialect.TIKTOK_API:
        start = path.find("/v2/")  # the simulator serves under a prefix: count by the API's own path
        return path[start:] if start >= 0 else path  # each endpoint is counted separately
    if call.dialect is Dialect.GOOGLE_API:
        return "data_api" if "/youtube/v3/" in path else None  # one project quota for every method
    if call.dialect is Dialect.GRAPH:
        return "graph"
    return None  # OAuth endpoints


class TokenBucket:
    """``limit.calls`` per ``limit.seconds``, handed out as reservations on an injected clock."""

    def __init__(self, limit: PlatformLimit, clock: Callable[[], float]) -> None:
        self._capacity = float(limit.burst)
        self._per_second = limit.per_second
        self._clock = clock
        self._tokens = self._capacity
        self._updated = clock()

    def due_in(self) -> float:
        """Seconds until a token taken now could be used."""
        return self._wait(self._refilled(self._clock()) - 1)

    def take(self, within: float | None = None) -> float | None:
        """Take a token and return how long to wait before using it (0: now); the wait only queues it
        behind the tokens already taken. None, taking nothing, when the wait would exceed ``within``."""
        now = self._clock()
        tokens = self._refilled(now) - 1
        wait = self._wait(tokens)
        if within is not None and wait > within:
            return None
        self._tokens, self._updated = tokens, now
        return wait

    def _wait(self, tokens: float) -> float:
        # A token refilled to within rounding of whole is whole: a caller that waited exactly
        # ``due_in`` must not be told to wait a nanosecond more.
        return 0.0 if tokens >= -_ROUNDING else -tokens / self._per_second

    def _refilled(self, now: float) -> float:
        return min(self._capacity, self._tokens + (now - self._updated) * self._per_second)


@dataclass
class RateLimits:
    """Every platform's buckets, made on first use and kept as long as the container: a new worker
    invocation's client shares them, so the limit holds from one batch to the next."""

    limits: Mapping[Platform, PlatformLimit]
    clock: Callable[[], float]
    _buckets: dict[tuple[Platform, str], TokenBucket] = field(default_factory=dict)

    def in_flight(self, platform: Platform) -> int:
        limit = self.limits.get(platform)
        return limit.in_flight if limit is not None else 0

    def bucket(self, call: Call) -> TokenBucket | None:
        limit = self.limits.get(call.platform)
        if limit is None or not limit.calls:
            return None
        kind = endpoint_class(call)
        if kind is None:
            return None
        key = (call.platform, kind)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(limit, self.clock)
        return bucket
