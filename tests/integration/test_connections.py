"""Each platform connected, refreshed and disconnected over real HTTP: front, API, simulator, job clock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from devstack.stack import HOST, LocalStack
from tests.integration.conftest import browser_cookie

# (our platform, the simulator's name for its app, who consents, sim knobs)
PLATFORMS = [
    ("tiktok", "tiktok", "maya@example.test", {}),
    ("youtube", "google", "ana@example.test", {}),
    ("facebook", "meta", "ana@example.test", {}),
    ("instagram", "meta", "ben@example.test", {}),
    ("threads", "threads", "ana.bakes@example.test", {"access_token_ttl_seconds": 200_000}),
]
EXPIRES_AT_PLATFORM = {"tiktok", "youtube"}  # their refresh tokens outlive a dead access token


@pytest.fixture(scope="module")
def admin(stack: LocalStack) -> Iterator[httpx.Client]:
    assert stack.seeded is not None
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        signed_in = client.post(
            "/api/auth/sign-in",
            json={"email": stack.seeded.email, "password": stack.seeded.password.reveal()},
        )
        signed_in.raise_for_status()
        client.headers["Authorization"] = f"Bearer {signed_in.json()['access_token']}"
        yield client


@pytest.fixture(scope="module")
def sim(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://{HOST}:{stack.ports.simulator}", timeout=30) as client:
        yield client


def connections(admin: httpx.Client) -> list[dict[str, Any]]:
    response = admin.get("/api/connections")
    response.raise_for_status()
    items: list[dict[str, Any]] = response.json()["items"]
    return items


@pytest.mark.parametrize(("platform", "sim_app", "user", "knobs"), PLATFORMS, ids=[p[0] for p in PLATFORMS])
def test_connect_refresh_and_disconnect_over_http(
    stack: LocalStack,
    admin: httpx.Client,
    sim: httpx.Client,
    platform: str,
    sim_app: str,
    user: str,
    knobs: dict[str, Any],
) -> None:
    # GIVEN the platform approves at once, as the chosen creator, with short-lived tokens
    settings = {"auto_approve": True, "next_user": user, "access_token_ttl_seconds": 600} | knobs
    sim.post("/_sim/knobs", json=settings).raise_for_status()

    # WHEN the admin starts, the browser follows the consent redirect back to the callback
    started = admin.post(f"/api/oauth/{platform}/start")
    assert started.status_code == 200, started.text
    consent = httpx.get(started.json()["authorization_url"], follow_redirects=False)
    assert consent.status_code == 302, consent.text
    callback = httpx.get(
        consent.headers["location"], headers=browser_cookie(started), follow_redirects=False, timeout=30
    )
    assert callback.status_code == 200, callback.text
    assert "text/html" in callback.headers["content-type"]
    if "data-pending='" in callback.text:  # Meta: several Pages, pick one
        pending_id = callback.text.split("data-pending='", 1)[1].split("'", 1)[0]
        choice = admin.get(f"/api/connections/pending/{pending_id}").json()
        chosen = admin.post(
            f"/api/connections/pending/{pending_id}", json={"account_ids": [choice["accounts"][0]["id"]]}
        )
        assert chosen.status_code == 201, chosen.text

    # THEN it is listed, active, with its scopes
    [connection] = [c for c in connections(admin) if c["platform"] == platform]
    assert connection["status"] == "active"
    assert connection["granted_scopes"]

    # WHEN its access token dies (or, for Threads, it is a day old) and the refresh job runs
    if platform in EXPIRES_AT_PLATFORM:
        sim.post("/_sim/expire", json={"platform": sim_app}).raise_for_status()
    if platform == "threads":
        sim.post("/_sim/advance", json={"hours": 25}).raise_for_status()
    run = httpx.post(f"http://{HOST}:{stack.ports.clock}/jobs/token-refresh", timeout=60)
    assert run.status_code == 200, run.text
    assert run.json()["run"]["ok"], run.text

    # THEN the tokens were renewed and the connection is still active
    [refreshed] = [c for c in connections(admin) if c["id"] == connection["id"]]
    assert refreshed["status"] == "active"
    assert refreshed["refreshed_at"] > connection["refreshed_at"]

    # WHEN it is disconnected THEN it is gone and the platform recorded the revocation
    before = len(sim.get("/_sim/revocations").json()["revocations"])
    assert admin.delete(f"/api/connections/{connection['id']}").status_code == 204
    assert [c for c in connections(admin) if c["id"] == connection["id"]] == []
    revocations = sim.get("/_sim/revocations").json()["revocations"][before:]
    if platform == "threads":
        assert revocations == []  # Threads has no revoke call (platforms/meta.md §5)
    else:
        assert [r["platform"] for r in revocations] == [sim_app]
    sim.post("/_sim/knobs", json={"access_token_ttl_seconds": None, "next_user": None}).raise_for_status()
