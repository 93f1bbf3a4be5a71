"""Connecting accounts through the real routes, with the simulator as every platform."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.bootstrap import services
from chalicelib.settings import Settings
from tests.functional.connections.conftest import Flow, page_code
from tests.functional.connections.test_ingestion import items_in
from tests.functional.team import Team

SINGLE_ACCOUNT_PLATFORMS = ["tiktok", "youtube", "threads"]


def ingest_messages() -> list[dict[str, Any]]:
    sqs = services().aws.client("sqs")
    url = services().settings.ingest_queue_url
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in received]


@pytest.mark.parametrize("platform", SINGLE_ACCOUNT_PLATFORMS)
def test_connect_lists_the_account_and_queues_a_backfill(team: Team, flow: Flow, platform: str) -> None:
    admin = team.create_workspace()

    page = flow.connect(admin, platform)

    assert page.status_code == 200, page.body
    assert page_code(page) == "connected"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    [connection] = flow.connections(admin)
    assert connection["platform"] == platform
    assert connection["status"] == "active"
    assert connection["needs_reauth"] is False
    assert connection["granted_scopes"]
    assert connection["account_name"]
    assert ingest_messages() == [
        {"connection_id": connection["id"], "workspace_id": admin.workspace_id, "kind": "backfill"}
    ]


def test_meta_login_with_several_pages_asks_which_to_connect(team: Team, flow: Flow) -> None:
    admin = team.create_workspace()

    page = flow.connect(admin, "facebook")

    assert page.status_code == 200
    assert "data-pending" in page.body.decode()
    pending_id = page.body.decode().split("data-pending='", 1)[1].split("'", 1)[0]
    choice = json.loads(team.http.get(f"/api/connections/pending/{pending_id}", headers=admin.headers).body)
    assert len(choice["accounts"]) >= 2
    picked = choice["accounts"][0]["id"]
    response = team.post(f"/api/connections/pending/{pending_id}", {"account_ids": [picked]}, admin.headers)
    assert response.status_code == 201, response.body
    [connection] = flow.connections(admin)
    assert connection["platform"] == "facebook"
    assert connection["account_id"] == picked
    again = team.post(f"/api/connections/pending/{pending_id}", {"account_ids": [picked]}, admin.headers)
    assert again.status_code == 404


def test_meta_login_with_one_instagram_account_connects_it_at_once(team: Team, flow: Flow) -> None:
    admin = team.create_workspace()
    flow.knobs(next_user="ben@example.test")

    page = flow.connect(admin, "instagram")

    assert page_code(page) == "connected", page.body
    [connection] = flow.connections(admin)
    assert connection["platform"] == "instagram"


def test_denied_consent_ends_on_a_clear_page(team: Team, flow: Flow) -> None:
    admin = team.create_workspace()
    flow.knobs(auto_approve=False)

    page = flow.connect(admin, "tiktok", decision="deny")

    assert page.status_code == 400
    assert page_code(page) == "consent_denied"
    assert flow.connections(admin) == []


@pytest.mark.parametrize("platform", ["tiktok", "youtube"])
def test_partly_granted_scopes_end_on_a_clear_page(team: Team, flow: Flow, platform: str) -> None:
    admin = team.create_workspace()
    flow.knobs(auto_approve=False)
    url = flow.start(admin, platform)

    page = flow.callback(flow.consent(url, sim_scope=[]))

    assert page.status_code == 400
    assert page_code(page) == "scopes_missing"
    assert "Missing:" in page.body.decode()
    assert flow.connections(admin) == []


@pytest.mark.parametrize("items", ["omitted", "empty_list"])
def test_google_account_without_a_youtube_channel_ends_on_a_clear_page(
    team: Team, flow: Flow, items: str
) -> None:
    # GIVEN a Google account that owns no channel, answered either way the contract allows
    admin = team.create_workspace()
    flow.knobs(next_user="noa@example.test", youtube_no_channel_items=items)

    # WHEN its owner consents
    page = flow.connect(admin, "youtube")

    # THEN a page says what to do, nothing is connected and the unusable grant is withdrawn
    assert page.status_code == 400
    assert page_code(page) == "no_youtube_channel"
    assert (
        "This Google account has no YouTube channel. Create one on YouTube, or sign in with the "
        "account that owns the channel, then connect again."
    ) in page.body.decode()
    assert flow.connections(admin) == []
    assert ingest_messages() == []
    revocations = flow.browser.get("http://simulator.local/_sim/revocations").json()["revocations"]
    assert [r["platform"] for r in revocations] == ["google"]


def test_replayed_state_is_refused(team: Team, flow: Flow) -> None:
    admin = team.create_workspace()
    path = flow.consent(flow.start(admin, "tiktok"))
    assert flow.callback(path).status_code == 200

    replay = flow.callback(path)

    assert replay.status_code == 409
    assert page_code(replay) == "state_used"
    assert len(flow.connections(admin)) == 1


def test_expired_state_is_refused(team: Team, flow: Flow) -> None:
    from datetime import UTC, datetime, timedelta

    from chalicelib.storage.connections import OAuthStateItem

    admin = team.create_workspace()
    path = flow.consent(flow.start(admin, "tiktok"))
    for item in OAuthStateItem.scan(OAuthStateItem.pk.startswith("OAUTHSTATE#")):
        item.update(actions=[OAuthStateItem.expires_at.set(datetime.now(UTC) - timedelta(seconds=1))])

    page = flow.callback(path)

    assert page.status_code == 410
    assert page_code(page) == "state_expired"


def test_unknown_state_and_unknown_platform_are_clear_pages(team: Team, flow: Flow) -> None:
    team.create_workspace()

    assert page_code(flow.callback("/api/oauth/tiktok/callback?code=x&state=forged")) == "state_invalid"
    assert flow.callback("/api/oauth/tiktok/callback").status_code == 400
    assert flow.callback("/api/oauth/myspace/callback?state=x").status_code == 404


def test_state_for_one_platform_cannot_finish_another(team: Team, flow: Flow) -> None:
    admin = team.create_workspace()
    path = flow.consent(flow.start(admin, "tiktok"))

    page = flow.callback(path.replace("/tiktok/", "/youtube/"))

    assert page.status_code == 400
    assert page_code(page) == "redirect_mismatch"


@pytest.mark.parametrize(
    ("knobs", "code"),
    [
        ({"server_error_next": 5}, "platform_busy"),
        ({"timeout_next": 5}, "platform_busy"),
    ],
    ids=["5xx", "timeout"],
)
def test_platform_failures_during_exchange_end_on_a_page_not_a_500(
    team: Team, flow: Flow, knobs: dict[str, Any], code: str
) -> None:
    admin = team.create_workspace()
    path = flow.consent(flow.start(admin, "tiktok"))
    flow.knobs(**knobs)

    page = flow.callback(path)

    assert page.status_code == 503
    assert page_code(page) == code
    assert flow.connections(admin) == []


def test_a_burst_of_429s_is_waited_out(team: Team, flow: Flow, recorder: Any) -> None:
    admin = team.create_workspace()
    path = flow.consent(flow.start(admin, "tiktok"))
    flow.knobs(throttle_next=2, retry_after_seconds=1)

    page = flow.callback(path)

    assert page_code(page) == "connected", page.body
    assert recorder.sleeps
    assert all(seconds >= 1 for seconds in recorder.sleeps[:2])


def test_long_429_is_a_try_again_page(team: Team, flow: Flow) -> None:
    admin = team.create_workspace()
    path = flow.consent(flow.start(admin, "tiktok"))
    flow.knobs(throttle_next=5, retry_after_seconds=120)

    page = flow.callback(path)

    assert page.status_code == 503
    assert page_code(page) == "platform_busy"


def test_a_creator_sees_and_manages_only_their_own_connections(team: Team, flow: Flow) -> None:
    admin = team.create_workspace()
    creator = team.invite(admin, "creator")
    flow.connect(admin, "tiktok")
    flow.knobs(next_user="leo@example.test")
    flow.connect(creator, "tiktok")

    mine = flow.connections(creator)
    everything = flow.connections(admin)

    assert len(everything) == 2
    assert [c["owner_member_id"] for c in mine] == [creator.member_id]
    admins = next(c for c in everything if c["owner_member_id"] == admin.member_id)
    refused = team.http.delete(f"/api/connections/{admins['id']}", headers=creator.headers)
    assert refused.status_code == 404


def test_disconnect_revokes_at_the_platform_deletes_tokens_and_audits(
    team: Team, flow: Flow, wired: Settings
) -> None:
    admin = team.create_workspace()
    flow.connect(admin, "youtube")
    [connection] = flow.connections(admin)
    assert any(connection["id"] in str(item) for item in items_in(wired, "connections"))

    response = team.http.delete(f"/api/connections/{connection['id']}", headers=admin.headers)

    assert response.status_code == 204
    assert flow.connections(admin) == []
    revocations = flow.browser.get("http://simulator.local/_sim/revocations").json()["revocations"]
    assert [r["platform"] for r in revocations] == ["google"]
    audit = json.loads(team.http.get("/api/audit", headers=admin.headers).body)["items"]
    assert "connection.disconnected" in [entry["action"] for entry in audit]
    # nothing of it stays in the connections table: not the item, its sealed tokens, nor its schedule
    left = [item for item in items_in(wired, "connections") if connection["id"] in str(item)]
    assert left == []
    assert not any(
        "cdv1." in str(item) for item in items_in(wired, "connections") if "CONNECTION#" in str(item)
    )


def test_reconnect_renews_the_same_connection(team: Team, flow: Flow) -> None:
    admin = team.create_workspace()
    flow.connect(admin, "tiktok")
    [before] = flow.connections(admin)

    page = flow.callback(flow.consent(flow.reconnect(admin, before["id"])))

    assert page_code(page) == "connected"
    [after] = flow.connections(admin)
    assert after["id"] == before["id"]
