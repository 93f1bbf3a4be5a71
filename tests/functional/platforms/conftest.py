"""Providers against the simulator, in-process through ``httpx.MockTransport`` (no sockets, no sleeps)."""

from __future__ import annotations

import random
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from chalicelib.domain.platforms import AuthorizationRequest, Platform, TokenSet
from chalicelib.platforms.base import PlatformProvider
from chalicelib.platforms.config import PlatformConfig
from chalicelib.platforms.http import PlatformClient, RetryPolicy
from chalicelib.platforms.registry import build_providers
from chalicelib.security.secret import Secret
from simulator import Knobs, Simulator

REDIRECT = "http://127.0.0.1:8000/oauth/callback"
CREDENTIALS = {
    Platform.TIKTOK: ("sim-tiktok-client-key", "sim-tiktok-client-secret"),
    Platform.FACEBOOK: ("1000000000000001", "sim-meta-app-secret"),
    Platform.INSTAGRAM: ("1000000000000001", "sim-meta-app-secret"),
    Platform.THREADS: ("2000000000000002", "sim-threads-app-secret"),
    Platform.YOUTUBE: ("sim-client-1.apps.googleusercontent.com", "GOCSPX-sim-google-client-secret"),
}


@dataclass
class FakeTime:
    """A monotonic clock that only moves when something sleeps; every sleep is recorded."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


@pytest.fixture
def sim() -> Simulator:
    return Simulator(knobs=Knobs(auto_approve=True))


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def recorded() -> list[httpx.Request]:
    """Every request that reached the simulator, in order."""
    return []


@pytest.fixture
def http(sim: Simulator, recorded: list[httpx.Request]) -> Iterator[httpx.Client]:
    def handle(request: httpx.Request) -> httpx.Response:
        recorded.append(request)
        return sim.handle(request)

    with httpx.Client(transport=httpx.MockTransport(handle)) as client:
        yield client


@pytest.fixture
def sim_clock(sim: Simulator) -> Callable[[], datetime]:
    return lambda: datetime.fromtimestamp(sim.state.now(), UTC)


@pytest.fixture
def client(http: httpx.Client, fake_time: FakeTime, sim_clock: Callable[[], datetime]) -> PlatformClient:
    return PlatformClient(
        http,
        RetryPolicy(),
        sleep=fake_time.sleep,
        clock=fake_time.monotonic,
        wall_clock=sim_clock,
        rng=random.Random(7),
    )


def config_for(platform: Platform, **overrides: Any) -> PlatformConfig:
    client_id, secret = CREDENTIALS[platform]
    values: dict[str, Any] = {
        "platform": platform,
        "client_id": client_id,
        "client_secret": Secret(secret),
        "redirect_uri": REDIRECT,
        "base_urls": Simulator().base_urls(),
    }
    return PlatformConfig(**(values | overrides))


@pytest.fixture
def providers(sim_clock: Callable[[], datetime]) -> dict[Platform, PlatformProvider]:
    registry = build_providers([config_for(p) for p in Platform], wall_clock=sim_clock)
    return {p: registry.get(p) for p in Platform}


def callback(http: httpx.Client, request: AuthorizationRequest, **form: str) -> dict[str, str]:
    """Open the consent page (auto-approved, or approved by POSTing ``form``) and read the redirect."""
    if form:
        url = httpx.URL(request.url)
        response = http.post(
            url.copy_with(query=None),
            data=dict(url.params.multi_items()) | {"decision": "approve"} | form,
        )
    else:
        response = http.get(request.url)
    assert response.status_code == 302, response.text
    location = urllib.parse.urlsplit(response.headers["location"])
    return dict(urllib.parse.parse_qsl(location.query))


@pytest.fixture
def connect(
    http: httpx.Client, client: PlatformClient, providers: dict[Platform, PlatformProvider]
) -> Callable[..., TokenSet]:
    def run(platform: Platform, **consent_form: str) -> TokenSet:
        provider = providers[platform]
        request = provider.authorization_request("state-1")
        params = callback(http, request, **consent_form)
        assert params["state"] == "state-1"
        return client.run(provider.exchange_code(params["code"], request))

    return run


@pytest.fixture
def creators(http: httpx.Client) -> Callable[[], dict[str, Any]]:
    def read() -> dict[str, Any]:
        return dict(http.get("http://simulator.local/_sim/creators").json())

    return read


@pytest.fixture
def knobs(http: httpx.Client) -> Callable[..., None]:
    def update(**values: Any) -> None:
        response = http.post("http://simulator.local/_sim/knobs", json=values)
        assert response.status_code == 200, response.text

    return update


def account(creators: dict[str, Any], platform: str, handle: str) -> dict[str, Any]:
    for login in creators["logins"]:
        for acc in login["accounts"]:
            if acc["platform"] == platform and acc["handle"] == handle:
                return dict(acc)
    raise AssertionError(f"no {platform} account {handle}")
