"""The shared client under faults: 429 + Retry-After, 5xx, timeouts, deadlines, Meta usage headers."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx
import pytest

from chalicelib.domain.platforms import ConnectableAccount, Platform
from chalicelib.platforms.base import RateLimitedError, ReauthorizeError, RetryLaterError
from chalicelib.platforms.http import AsyncPlatformClient, PlatformClient, RetryPolicy


def test_429_waits_at_least_retry_after_then_succeeds(connect, client, providers, knobs, fake_time):
    tokens = connect(Platform.TIKTOK)
    knobs(throttle_next=2, retry_after_seconds=7)

    profile = client.run(providers[Platform.TIKTOK].profile(tokens))

    assert profile.handle == "mayamakes"
    assert len(fake_time.sleeps) == 2
    assert all(7 <= s <= 8 for s in fake_time.sleeps)


def test_deadline_stops_retrying_and_reports_retry_after(connect, client, providers, knobs, fake_time):
    tokens = connect(Platform.TIKTOK)
    knobs(throttle_next=1, retry_after_seconds=20)

    with pytest.raises(RateLimitedError) as caught:
        client.run(providers[Platform.TIKTOK].profile(tokens), deadline=client.deadline(10))

    assert caught.value.retry_after == 20
    assert fake_time.sleeps == []


def test_retry_after_longer_than_max_sleep_is_raised_not_slept(connect, client, providers, knobs, fake_time):
    tokens = connect(Platform.YOUTUBE)
    knobs(throttle_next=1, retry_after_seconds=120)

    with pytest.raises(RateLimitedError) as caught:
        client.run(providers[Platform.YOUTUBE].profile(tokens))

    assert caught.value.retry_after == 120
    assert fake_time.sleeps == []


def test_server_errors_then_success_back_off_exponentially(connect, client, providers, knobs, fake_time):
    tokens = connect(Platform.YOUTUBE)
    knobs(server_error_next=3)

    assert client.run(providers[Platform.YOUTUBE].profile(tokens)).handle == "anabakes"
    assert len(fake_time.sleeps) == 3
    assert fake_time.sleeps[0] < fake_time.sleeps[2]
    assert all(s <= RetryPolicy().max_delay for s in fake_time.sleeps)


def test_persistent_server_errors_end_in_retry_later(connect, client, providers, knobs, fake_time):
    tokens = connect(Platform.TIKTOK)
    knobs(server_error_next=10)

    with pytest.raises(RetryLaterError) as caught:
        client.run(providers[Platform.TIKTOK].posts(tokens))

    assert isinstance(caught.value.__cause__, httpx.HTTPStatusError)
    assert len(fake_time.sleeps) == RetryPolicy().max_attempts - 1


def test_timeouts_are_retried(connect, client, providers, knobs, fake_time):
    tokens = connect(Platform.TIKTOK)
    knobs(timeout_next=2)

    assert client.run(providers[Platform.TIKTOK].profile(tokens)).handle == "mayamakes"
    assert len(fake_time.sleeps) == 2


def test_a_rotating_refresh_is_not_repeated_after_a_timeout(connect, client, providers, knobs, recorded):
    tokens = connect(Platform.TIKTOK)
    knobs(timeout_next=1)
    before = len(recorded)

    with pytest.raises(RetryLaterError) as caught:
        client.run(providers[Platform.TIKTOK].refresh(tokens))

    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert len(recorded) - before == 1


def test_revoked_token_is_reauthorize(connect, client, providers, http):
    tokens = connect(Platform.TIKTOK)
    http.post("http://simulator.local/_sim/revoke", json={"platform": "tiktok", "user_id": tokens.user_id})

    with pytest.raises(ReauthorizeError):
        client.run(providers[Platform.TIKTOK].profile(tokens))
    with pytest.raises(ReauthorizeError):
        client.run(providers[Platform.TIKTOK].refresh(tokens))


@pytest.mark.parametrize(("reason", "subcode"), [("app_removed", "458"), ("password_changed", "460")])
def test_meta_revocations_are_reauthorize_with_their_subcode(
    connect, client, providers, http, reason, subcode
):
    tokens = connect(Platform.FACEBOOK)
    accounts = client.run(providers[Platform.FACEBOOK].connectable_accounts(tokens))
    http.post(
        "http://simulator.local/_sim/revoke",
        json={"platform": "meta", "user_id": tokens.user_id, "reason": reason},
    )

    with pytest.raises(ReauthorizeError) as caught:
        client.run(providers[Platform.FACEBOOK].profile(accounts[0].tokens))

    assert (caught.value.platform_code, caught.value.platform_subcode) == ("190", subcode)


def test_meta_throttle_is_not_retried_in_process(connect, client, providers, knobs, fake_time):
    tokens = connect(Platform.INSTAGRAM)
    page = client.run(providers[Platform.INSTAGRAM].connectable_accounts(tokens))[0]
    knobs(throttle_next=1)

    with pytest.raises(RateLimitedError) as caught:
        client.run(providers[Platform.INSTAGRAM].profile(page.tokens))

    assert caught.value.platform_code == "4"
    assert caught.value.retry_after is not None
    assert caught.value.retry_after > RetryPolicy().max_sleep
    assert fake_time.sleeps == []


def near_the_limit(connect: Any, client: PlatformClient, providers: Any, knobs: Any) -> ConnectableAccount:
    """An Instagram connection whose app has used 95% of its hourly Graph budget (20 of 21 calls)."""
    tokens = connect(Platform.INSTAGRAM)
    ig: ConnectableAccount = client.run(providers[Platform.INSTAGRAM].connectable_accounts(tokens))[
        0
    ]  # 3 calls
    knobs(meta_app_calls_per_hour=21)
    for _ in range(17):
        client.run(providers[Platform.INSTAGRAM].profile(ig.tokens))
    return ig


def test_meta_usage_above_90_percent_backs_off_before_the_next_call(
    connect, client, providers, knobs, fake_time
):
    ig = near_the_limit(connect, client, providers, knobs)
    assert fake_time.sleeps == []  # usage climbed to 95% without any pause below 90%

    client.run(providers[Platform.INSTAGRAM].profile(ig.tokens))

    assert fake_time.sleeps == [pytest.approx(RetryPolicy().usage_pause * 0.5)]


def test_meta_usage_near_the_limit_with_a_short_deadline_raises_rate_limited(
    connect, client, providers, knobs, fake_time
):
    ig = near_the_limit(connect, client, providers, knobs)

    with pytest.raises(RateLimitedError) as caught:
        client.run(providers[Platform.INSTAGRAM].profile(ig.tokens), deadline=client.deadline(5))

    assert caught.value.retry_after == pytest.approx(15)
    assert fake_time.sleeps == []


def test_async_client_runs_the_same_flows_concurrently_with_faults(
    sim, providers, connect, creators, fake_time, knobs
):
    tokens = connect(Platform.TIKTOK)
    knobs(server_error_next=2, throttle_next=1, retry_after_seconds=3)
    provider = providers[Platform.TIKTOK]

    async def main() -> tuple[Any, Any]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(sim.handle)) as http:
            client = AsyncPlatformClient(
                http,
                max_concurrency=3,
                sleep=fake_time.async_sleep,
                clock=fake_time.monotonic,
                rng=random.Random(1),
            )
            posts = await client.run(provider.posts(tokens))
            results = await client.gather(
                [provider.post_metrics(tokens, [p.id for p in posts]), provider.profile(tokens)]
            )
            return posts, results

    posts, (metrics, profile) = asyncio.run(main())

    truth = [
        p["id"]
        for login in creators()["logins"]
        for a in login["accounts"]
        if a["handle"] == "mayamakes"
        for p in a["posts"]
    ]
    assert [p.id for p in posts] == truth
    assert set(metrics) == set(truth)
    assert profile.handle == "mayamakes"
    assert len(fake_time.sleeps) == 3


def test_sync_client_needs_no_event_loop(http, fake_time):
    client = PlatformClient(http, sleep=fake_time.sleep, clock=fake_time.monotonic)

    assert client.deadline(5).remaining() == 5
