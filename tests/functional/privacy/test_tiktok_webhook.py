"""TikTok's webhook: TikTok-Signature over t.raw body, a 5-minute tolerance, replays and redeliveries."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.settings import Settings
from tests.functional.connections.conftest import Flow
from tests.functional.privacy.conftest import (
    connect,
    platform_user_id,
    run_privacy_worker,
    stored_connection,
    tiktok_delivery,
)
from tests.functional.team import Team

WEBHOOK = "/api/webhooks/tiktok"


def maya(team: Team, flow: Flow) -> tuple[Any, dict[str, Any], str]:
    admin = team.create_workspace()
    connection = connect(flow, admin, "tiktok", "maya@example.test")
    return admin, connection, platform_user_id(admin, connection["id"])


def test_authorization_removed_deletes_tokens_stops_syncs_and_deletes_the_data(
    team: Team, flow: Flow, settings: Settings
) -> None:
    admin, connection, open_id = maya(team, flow)
    body, headers = tiktok_delivery(open_id)

    response = team.http.post(WEBHOOK, headers=headers, body=body)

    assert response.status_code == 200, response.body
    loaded = stored_connection(admin.workspace_id, connection["id"])
    assert loaded is not None
    assert loaded[0].status.value == "disconnected"
    assert loaded[1].access == ""
    assert run_privacy_worker(settings) == 1
    assert stored_connection(admin.workspace_id, connection["id"]) is None


def test_a_redelivery_or_replay_is_acknowledged_and_changes_nothing(
    team: Team, flow: Flow, settings: Settings
) -> None:
    _, _, open_id = maya(team, flow)
    body, headers = tiktok_delivery(open_id)
    assert team.http.post(WEBHOOK, headers=headers, body=body).status_code == 200

    replayed = team.http.post(WEBHOOK, headers=headers, body=body)
    _, resigned = tiktok_delivery(open_id)  # TikTok's retry: same body, fresh signature
    stamp = int(time.time()) + 1
    import hashlib
    import hmac

    mac = hmac.new(b"sim-tiktok-client-secret", str(stamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    retried = team.http.post(
        WEBHOOK, headers={**resigned, "TikTok-Signature": f"t={stamp},s={mac}"}, body=body
    )

    assert replayed.status_code == 200
    assert retried.status_code == 200
    assert run_privacy_worker(settings) == 1  # one deletion, not three


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda body, headers: (body + b" ", headers), id="body-changed"),
        pytest.param(
            lambda body, headers: (
                body,
                {**headers, "TikTok-Signature": headers["TikTok-Signature"][:-2] + "00"},
            ),
            id="signature-changed",
        ),
        pytest.param(lambda body, headers: (body, {"Content-Type": "application/json"}), id="no-signature"),
        pytest.param(lambda body, headers: tiktok_delivery("x", at=int(time.time()) - 400), id="stale"),
        pytest.param(lambda body, headers: tiktok_delivery("x", at=int(time.time()) + 400), id="future"),
    ],
)
def test_unverifiable_deliveries_are_refused_with_a_generic_400(team: Team, mangle: Any) -> None:
    body, headers = mangle(*tiktok_delivery("some-open-id"))

    response = team.http.post(WEBHOOK, headers=headers, body=body)

    assert response.status_code == 400
    assert json.loads(response.body)["error"]["code"] == "invalid_signature"


def test_other_events_are_acknowledged(team: Team, settings: Settings) -> None:
    body, headers = tiktok_delivery(
        "some-open-id", "post.publish.publicly_available", {"publish_id": "p1", "post_id": "7"}
    )

    assert team.http.post(WEBHOOK, headers=headers, body=body).status_code == 200
    assert run_privacy_worker(settings) == 0


def test_the_simulators_own_delivery_verifies(team: Team, flow: Flow) -> None:
    # GIVEN the creator disconnects, so the simulator prepares its signed authorization.removed
    admin, connection, _ = maya(team, flow)
    assert team.http.delete(f"/api/connections/{connection['id']}", headers=admin.headers).status_code == 204
    [delivery] = flow.browser.get("http://simulator.local/_sim/webhooks").json()["webhooks"]
    body = delivery["body"].encode()

    # WHEN it arrives at the simulator's time, THEN it verifies (and finds nothing left to disconnect)
    signed_at = int(delivery["headers"]["TikTok-Signature"].split(",")[0].removeprefix("t="))
    from datetime import UTC, datetime

    privacy = bootstrap.services().privacy
    privacy._now = lambda: datetime.fromtimestamp(signed_at, UTC)  # the simulator's frozen clock
    privacy.tiktok_webhook(body, delivery["headers"]["TikTok-Signature"])


def test_a_deletion_delay_leaves_the_data_until_the_sweep_finds_it_due(
    team: Team, flow: Flow, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREATORDECK_DEAUTHORIZED_DELETION_DELAY_DAYS", "3")
    transport = bootstrap._platform_wiring.copy()
    bootstrap.reset(**transport)
    admin, connection, open_id = maya(team, flow)
    body, headers = tiktok_delivery(open_id)

    assert team.http.post(WEBHOOK, headers=headers, body=body).status_code == 200

    assert run_privacy_worker(settings) == 0
    assert bootstrap.services().retention_sweep.run()["sent"] == 0
    assert stored_connection(admin.workspace_id, connection["id"]) is not None
