"""Client-side rate limits: token buckets on a simulated clock, in-flight caps, the deadline (no sockets)."""

from __future__ import annotations

import asyncio
import bisect
import json
from collections.abc import Sequence
from typing import Any

import httpx
import pytest

from chalicelib.domain.platforms import Platform
from chalicelib.platforms.base import Call, Dialect, Flow, Parallel, RateLimitedError, RetryLaterError
from chalicelib.platforms.http import AsyncPlatformClient, Deadline
from chalicelib.platforms.rate_limits import (
    DEFAULT_LIMITS,
    PlatformLimit,
    RateLimits,
    TokenBucket,
    endpoint_class,
    limits_from_settings,
)
from chalicelib.settings import Settings, SettingsError
from tests.conftest import in_process_environment

TIKTOK = "https://open.tiktokapis.com"
OK = {"data": {}, "error": {"code": "ok", "message": "", "log_id": "x"}}


class FakeTime:
    """Virtual time: the clock moves only when every task sleeps, to the earliest wake-up, so
    concurrent sleeps overlap as they would on a real clock."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self._wake_ups: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        wake_up = self.now + seconds
        self._wake_ups.append(wake_up)
        while True:
            for _ in range(5):  # let every task that can run reach its own sleep first
                await asyncio.sleep(0)
            if min(self._wake_ups) >= wake_up:
                break
        self._wake_ups.remove(wake_up)
        self.now = max(self.now, wake_up)


def most_in_any_window(times: Sequence[float], window: float) -> int:
    """The most calls any sliding window (t - window, t] holds, as the simulator counts."""
    ordered = sorted(times)
    return max((i + 1 - bisect.bisect_right(ordered, t - window) for i, t in enumerate(ordered)), default=0)


def tiktok_call(path: str = "/v2/video/query/") -> Call:
    return Call(Platform.TIKTOK, Dialect.TIKTOK_API, "POST", TIKTOK + path)


def parallel(calls: Sequence[Call]) -> Flow[list[Any]]:
    replies: list[Any] = yield Parallel(tuple(calls), return_errors=True)
    return replies


# ---- the bucket -------------------------------------------------------------------------------------


def test_a_bucket_never_lets_more_than_its_calls_into_any_window() -> None:
    # GIVEN TikTok's 600 calls a minute and 2000 calls all wanting to go at once
    time = FakeTime()
    bucket = TokenBucket(PlatformLimit(calls=600, seconds=60), time.clock)

    # WHEN each takes a token and goes when it is due
    sends = []
    for _ in range(2000):
        wait = bucket.take()
        assert wait is not None
        sends.append(time.now + wait)

    # THEN no minute holds more than 600, and the bucket keeps its documented pace
    assert most_in_any_window(sends, 60) <= 600
    assert sends[-1] - sends[0] == pytest.approx((2000 - 60) / 9, rel=1e-6)  # burst 60, then 9 a second


def test_a_bucket_holds_its_limit_when_calls_come_in_waves() -> None:
    time = FakeTime()
    bucket = TokenBucket(PlatformLimit(calls=10, seconds=60), time.clock)
    sends = []
    for _wave in range(30):
        for _ in range(3):
            wait = bucket.take()
            assert wait is not None
            sends.append(time.now + wait)
        time.now += 7.0

    assert most_in_any_window(sends, 60) <= 10


def test_a_wait_is_a_reservation_not_a_failure() -> None:
    time = FakeTime()
    bucket = TokenBucket(PlatformLimit(calls=10, seconds=60), time.clock)  # burst 1, one per 6.67 s

    waits = [bucket.take() for _ in range(4)]

    assert waits == pytest.approx([0.0, 60 / 9, 2 * 60 / 9, 3 * 60 / 9])


def test_a_wait_longer_than_allowed_takes_nothing() -> None:
    time = FakeTime()
    bucket = TokenBucket(PlatformLimit(calls=10, seconds=60), time.clock)
    assert bucket.take() == 0.0

    assert bucket.take(within=1.0) is None
    assert bucket.due_in() == pytest.approx(60 / 9)  # the refused call queued nothing
    time.now += 60 / 9
    assert bucket.take(within=0.0) == 0.0


# ---- which calls share a bucket ---------------------------------------------------------------------


def test_each_tiktok_endpoint_has_its_own_bucket_and_oauth_none() -> None:
    assert endpoint_class(tiktok_call("/v2/video/query/")) == "/v2/video/query/"
    assert endpoint_class(tiktok_call("/v2/user/info/")) == "/v2/user/info/"
    # The local stack serves TikTok under a prefix: the API's own path still names the bucket.
    simulated = Call(Platform.TIKTOK, Dialect.TIKTOK_API, "GET", "http://127.0.0.1:9/tiktok/v2/user/info/")
    assert endpoint_class(simulated) == "/v2/user/info/"
    oauth = Call(Platform.TIKTOK, Dialect.TIKTOK_OAUTH, "POST", TIKTOK + "/v2/oauth/token/")
    assert endpoint_class(oauth) is None


def test_youtube_data_calls_share_the_project_quota_and_analytics_is_not_metered() -> None:
    limits = RateLimits(DEFAULT_LIMITS, FakeTime().clock)
    channels = Call(
        Platform.YOUTUBE, Dialect.GOOGLE_API, "GET", "https://www.googleapis.com/youtube/v3/channels"
    )
    videos = Call(Platform.YOUTUBE, Dialect.GOOGLE_API, "GET", "https://www.googleapis.com/youtube/v3/videos")
    reports = Call(
        Platform.YOUTUBE, Dialect.GOOGLE_API, "GET", "https://youtubeanalytics.googleapis.com/v2/reports"
    )

    assert limits.bucket(channels) is limits.bucket(videos) is not None
    assert limits.bucket(reports) is None


def test_meta_platforms_have_no_bucket_unless_configured() -> None:
    page = Call(Platform.FACEBOOK, Dialect.GRAPH, "GET", "https://graph.facebook.com/v25.0/me")

    assert RateLimits(DEFAULT_LIMITS, FakeTime().clock).bucket(page) is None
    configured = limits_from_settings({"facebook": {"calls": 100}})
    assert configured[Platform.FACEBOOK] == PlatformLimit(calls=100, seconds=3600)
    assert RateLimits(configured, FakeTime().clock).bucket(page) is not None


# ---- the async client ---------------------------------------------------------------------------------


def client_for(
    handler: Any, limits: dict[Platform, PlatformLimit], time: FakeTime, concurrency: int = 32
) -> AsyncPlatformClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return AsyncPlatformClient(
        http,
        max_concurrency=concurrency,
        rate_limits=RateLimits(limits, time.clock),
        sleep=time.sleep,
        clock=time.clock,
    )


def test_a_batch_waits_for_tokens_and_the_platform_sees_the_limit() -> None:
    # GIVEN 20 calls per 10 s for TikTok and 30 video queries at once (no wait beyond max_sleep)
    time = FakeTime()
    arrivals: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        arrivals.append(time.now)
        return httpx.Response(200, json=OK)

    client = client_for(handler, {Platform.TIKTOK: PlatformLimit(calls=20, seconds=10)}, time)

    # WHEN they run
    replies = asyncio.run(client.run(parallel([tiktok_call()] * 30)))

    # THEN every call succeeded, after waiting, and no 10 s saw more than 20
    assert all(not isinstance(reply, Exception) for reply in replies)
    assert len(arrivals) == 30
    assert time.sleeps
    assert most_in_any_window(arrivals, 10) <= 20
    assert time.now - 1000.0 > 10  # the limit made them wait


def test_a_wait_past_the_deadline_raises_rate_limited_without_calling() -> None:
    # GIVEN a bucket of 10 a minute and a deadline 20 s away
    time = FakeTime()
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=OK)

    client = client_for(handler, {Platform.TIKTOK: PlatformLimit(calls=10, seconds=60)}, time)
    deadline = Deadline.after(20, time.clock)

    # WHEN 10 calls want to go
    replies = asyncio.run(client.run(parallel([tiktok_call()] * 10), deadline))

    # THEN those whose token is due in time went; the rest came back "rate limited", with when to retry
    refused = [reply for reply in replies if isinstance(reply, RateLimitedError)]
    assert len(sent) + len(refused) == 10
    assert len(sent) == 3  # at 0, 6.7 and 13.3 s; the next would be due at 20 s, with no time to call
    assert all(r.retry_after is not None and r.retry_after > 0 for r in refused)
    assert all(r.platform == "tiktok" for r in refused)
    assert time.now - 1000.0 < 20


def test_each_platform_has_its_own_cap_on_calls_in_flight() -> None:
    time = FakeTime()
    in_flight: dict[str, int] = {"now": 0, "most": 0}

    async def handler(request: httpx.Request) -> httpx.Response:
        in_flight["now"] += 1
        in_flight["most"] = max(in_flight["most"], in_flight["now"])
        await asyncio.sleep(0.001)
        in_flight["now"] -= 1
        return httpx.Response(200, json=OK)

    limits = {Platform.TIKTOK: PlatformLimit(calls=0, seconds=60, in_flight=3)}
    client = client_for(handler, limits, time)

    replies = asyncio.run(client.run(parallel([tiktok_call()] * 12)))

    assert all(not isinstance(reply, Exception) for reply in replies)
    assert in_flight["most"] == 3
    assert time.sleeps == []  # calls=0: no bucket, so nothing waited for a token


def test_the_buckets_outlive_one_invocations_client() -> None:
    # Lambda builds a client per invocation; the container's buckets carry over to the next one.
    time = FakeTime()
    limits = RateLimits({Platform.TIKTOK: PlatformLimit(calls=10, seconds=60)}, time.clock)
    arrivals: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        arrivals.append(time.now)
        return httpx.Response(200, json=OK)

    for _invocation in range(3):
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        client = AsyncPlatformClient(http, rate_limits=limits, sleep=time.sleep, clock=time.clock)
        asyncio.run(client.run(parallel([tiktok_call()] * 5)))

    assert most_in_any_window(arrivals, 60) <= 10


# ---- settings -----------------------------------------------------------------------------------------


def test_rate_limit_overrides_are_read_from_one_json_setting() -> None:
    overrides = {"tiktok": {"calls": 300, "in_flight": 8}, "threads": {"calls": 0}}
    environment = {**in_process_environment(), "CREATORDECK_PLATFORM_RATE_LIMITS": json.dumps(overrides)}

    settings = Settings.from_env(environment)

    limits = limits_from_settings(settings.platform_rate_limits)
    assert limits[Platform.TIKTOK] == PlatformLimit(calls=300, seconds=60, in_flight=8)
    assert limits[Platform.YOUTUBE] == DEFAULT_LIMITS[Platform.YOUTUBE]
    assert Settings.from_env(in_process_environment()).platform_rate_limits == {}


@pytest.mark.parametrize(
    "value",
    [
        "not json",
        '["tiktok"]',
        '{"myspace": {"calls": 1}}',
        '{"tiktok": 600}',
        '{"tiktok": {"per_hour": 1}}',
        '{"tiktok": {"calls": -1}}',
        '{"tiktok": {"seconds": 0}}',
        '{"tiktok": {"in_flight": 1.5}}',
        '{"tiktok": {"calls": true}}',
    ],
)
def test_refuses_malformed_rate_limits(value: str) -> None:
    environment = {**in_process_environment(), "CREATORDECK_PLATFORM_RATE_LIMITS": value}

    with pytest.raises(SettingsError, match="CREATORDECK_PLATFORM_RATE_LIMITS"):
        Settings.from_env(environment)


def test_a_days_quota_bursts_at_most_a_tenth_of_an_hours_share() -> None:
    assert DEFAULT_LIMITS[Platform.YOUTUBE].burst == 41  # 10,000 a day: 417 an hour, a tenth of it
    assert DEFAULT_LIMITS[Platform.TIKTOK].burst == 60  # 600 a minute: a tenth


def test_with_no_time_left_for_a_call_it_is_retry_later_not_a_throttle() -> None:
    # GIVEN a full bucket but an invocation with 3 s left (less than a call and the writes after it)
    time = FakeTime()
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=OK)

    client = client_for(handler, {Platform.TIKTOK: PlatformLimit(calls=600, seconds=60)}, time)

    replies = asyncio.run(client.run(parallel([tiktok_call()]), Deadline.after(3, time.clock)))

    assert sent == []
    assert isinstance(replies[0], RetryLaterError)
