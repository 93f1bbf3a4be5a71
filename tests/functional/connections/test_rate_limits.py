"""The ingest worker keeps to each platform's rate: a batch of TikTok syncs under a low configured limit.

The simulator counts TikTok calls per endpoint in a 60 s sliding window and answers 429 beyond its
limit; here the app's client-side limit and the simulator's are set to the same low number, and the
platform client's clock is the simulator's, advanced by every wait the client asks for.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from typing import Any

import boto3
import httpx
import pytest

import app as app_module
from chalicelib import bootstrap
from chalicelib.settings import Settings
from chalicelib.storage.posts import PostRepository
from devstack.clock import JobClock
from simulator import Simulator
from tests.functional.connections.conftest import Flow
from tests.functional.team import Team

LIMIT = 3  # calls per minute per TikTok endpoint, for the app and the simulator alike


@dataclass
class TikTokTraffic:
    """Each TikTok API call the simulator answered: (simulated time, endpoint, status)."""

    calls: list[tuple[float, str, int]] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)

    def most_in_a_minute(self, endpoint: str) -> int:
        times = sorted(at for at, path, _ in self.calls if path == endpoint)
        # As the simulator counts: the window (t - 60, t] at each call.
        return max((i + 1 - bisect.bisect_right(times, t - 60) for i, t in enumerate(times)), default=0)


@dataclass
class Paced:
    """The app re-wired with a low TikTok limit, on the simulator's clock (advanced by every wait)."""

    sim: Simulator
    monkeypatch: pytest.MonkeyPatch
    traffic: TikTokTraffic = field(default_factory=TikTokTraffic)

    def limit_tiktok(self, calls: int, *, client_calls: int | None = None) -> None:
        client_calls = calls if client_calls is None else client_calls
        self.monkeypatch.setenv(
            "CREATORDECK_PLATFORM_RATE_LIMITS", json.dumps({"tiktok": {"calls": client_calls}})
        )
        self.sim.state.knobs.tiktok_rate_limit_per_minute = calls
        self.sim.state.clock.advance(61)  # the connect flows' own calls leave the simulator's window
        bootstrap.reset(
            platform_transport=httpx.MockTransport(self._handle),
            platform_sleep=self._wait,
            platform_clock=self.sim.state.now,
        )

    def _handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        response = self.sim.handle(request)
        path = request.url.path
        if "/v2/" in path and "/oauth/" not in path:
            self.traffic.calls.append((self.sim.state.now(), path[path.find("/v2/") :], response.status_code))
        return response

    def _wait(self, seconds: float) -> None:
        self.traffic.waits.append(seconds)
        self.sim.state.clock.advance(seconds)


@pytest.fixture
def paced(wired: Settings, sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> Paced:
    return Paced(sim, monkeypatch)  # ``wired`` resets the app's wiring when the test ends


@pytest.fixture
def clock(wired: Settings) -> JobClock:
    return JobClock(app_module, boto3.client("sqs", region_name=wired.aws_region), wired.table_prefix)


def connect_two_tiktok_accounts(team: Team, flow: Flow) -> list[dict[str, Any]]:
    admin = team.create_workspace()
    for user in ("maya@example.test", "leo@example.test"):
        flow.knobs(next_user=user)
        assert flow.connect(admin, "tiktok").status_code == 200
    connections = flow.connections(admin)
    assert len(connections) == 2
    return connections


def test_a_batch_of_tiktok_syncs_stays_within_the_configured_rate_and_meets_no_429(
    team: Team, flow: Flow, clock: JobClock, paced: Paced
) -> None:
    # GIVEN two TikTok accounts connected, their backfills queued, and a limit of 3 calls a minute
    # per endpoint for the app and the simulator alike
    connections = connect_two_tiktok_accounts(team, flow)
    paced.limit_tiktok(LIMIT)

    # WHEN the worker syncs the batch
    assert clock.drain() == 2

    # THEN both synced in full, in one delivery, having waited for tokens rather than failed
    assert [run.ok for run in clock.history] == [True]
    assert all(PostRepository().recent(connection["id"]) for connection in connections)
    traffic = paced.traffic
    assert traffic.waits
    # AND the simulator never saw more than the limit in a minute on any endpoint, nor answered 429
    endpoints = {path for _, path, _ in traffic.calls}
    assert endpoints == {"/v2/user/info/", "/v2/video/list/", "/v2/video/query/"}
    assert sum(1 for _, path, _ in traffic.calls if path == "/v2/video/list/") > LIMIT  # the limit bit
    assert [status for _, _, status in traffic.calls if status == 429] == []
    assert {endpoint: traffic.most_in_a_minute(endpoint) <= LIMIT for endpoint in endpoints} == dict.fromkeys(
        endpoints, True
    )


def test_without_a_client_side_limit_the_same_batch_meets_429s(
    team: Team, flow: Flow, clock: JobClock, paced: Paced
) -> None:
    # The control: the simulator's limit alone, the client's bucket off (calls 0), reactive backoff only.
    connect_two_tiktok_accounts(team, flow)
    paced.limit_tiktok(LIMIT, client_calls=0)

    clock.drain()

    assert [status for _, _, status in paced.traffic.calls if status == 429]
