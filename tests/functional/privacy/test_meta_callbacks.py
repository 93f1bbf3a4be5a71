"""Meta's data-deletion and deauthorize callbacks: signed_request vectors made here with the app secret."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from chalicelib.settings import Settings
from tests.conftest import log_lines
from tests.functional.connections.conftest import Flow
from tests.functional.privacy.conftest import (
    connect,
    meta_payload,
    platform_user_id,
    post_form,
    run_privacy_worker,
    signed_request,
    stored_connection,
)
from tests.functional.team import Team

DELETION = "/api/webhooks/meta/data-deletion"
DEAUTHORIZE = "/api/webhooks/meta/deauthorize"


def instagram_of_ben(team: Team, flow: Flow) -> tuple[Any, dict[str, Any], str]:
    admin = team.create_workspace()
    connection = connect(flow, admin, "instagram", "ben@example.test")
    return admin, connection, platform_user_id(admin, connection["id"])


def revocations(flow: Flow) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = flow.browser.get("http://simulator.local/_sim/revocations").json()[
        "revocations"
    ]
    return found


@pytest.mark.parametrize("padded", [False, True], ids=["unpadded", "padded"])
def test_data_deletion_answers_a_status_url_and_code_then_deletes_everything(
    team: Team, flow: Flow, settings: Settings, padded: bool
) -> None:
    # GIVEN Ben's Instagram account is connected
    admin, connection, user_id = instagram_of_ben(team, flow)
    # (a user id whose base64 needs padding, so the padded and unpadded forms differ)
    payload = meta_payload(user_id, expires=int(time.time()) + 3600, pad="x" * 2)
    assert ("=" in signed_request(payload, padded=True)) is True

    # WHEN Meta sends the data-deletion callback
    response = post_form(team.http, DELETION, {"signed_request": signed_request(payload, padded=padded)})

    # THEN it answers JSON with a public status URL and an alphanumeric confirmation code
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"] == "application/json"
    answer = json.loads(response.body)
    code = answer["confirmation_code"]
    assert code.isalnum()
    assert len(code) >= 32
    assert answer["url"].endswith(f"/api/privacy/deletion-status/{code}")
    pending = json.loads(team.http.get(f"/api/privacy/deletions/{code}").body)
    assert pending == {
        "confirmation_code": code,
        "status": "pending",
        "requested_at": pending["requested_at"],
        "completed_at": None,
    }

    # AND the worker revokes at Meta and deletes the connection
    assert run_privacy_worker(settings) == 1
    assert stored_connection(admin.workspace_id, connection["id"]) is None
    assert [r["via"] for r in revocations(flow)] == ["DELETE /me/permissions"]
    done = json.loads(team.http.get(f"/api/privacy/deletions/{code}").body)
    assert done["status"] == "completed"
    assert done["completed_at"] >= done["requested_at"]
    assert set(done) == {"confirmation_code", "status", "requested_at", "completed_at"}


def test_a_replayed_data_deletion_gets_the_same_code_and_no_second_request(
    team: Team, flow: Flow, settings: Settings
) -> None:
    _, _, user_id = instagram_of_ben(team, flow)
    body = {"signed_request": signed_request(meta_payload(user_id))}

    first = json.loads(post_form(team.http, DELETION, body).body)
    again = json.loads(post_form(team.http, DELETION, body).body)

    assert again == first
    assert run_privacy_worker(settings) == 1


def test_data_deletion_for_someone_we_hold_nothing_about_completes_with_nothing_deleted(
    team: Team, settings: Settings
) -> None:
    response = post_form(team.http, DELETION, {"signed_request": signed_request(meta_payload("999000111"))})

    assert response.status_code == 200
    code = json.loads(response.body)["confirmation_code"]
    run_privacy_worker(settings)
    assert json.loads(team.http.get(f"/api/privacy/deletions/{code}").body)["status"] == "completed"


def _tampered() -> str:
    signature, _ = signed_request(meta_payload("218471")).split(".")
    forged = signed_request(meta_payload("1"), secret="not-the-app-secret").split(".")[1]
    return f"{signature}.{forged}"


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"signed_request": _tampered()}, id="tampered"),
        pytest.param(
            {"signed_request": signed_request(meta_payload("218471"), secret="wrong")}, id="wrong-secret"
        ),
        pytest.param(
            {"signed_request": signed_request(meta_payload("218471", expires=int(time.time()) - 60))},
            id="expired",
        ),
        pytest.param(
            {"signed_request": signed_request({**meta_payload("218471"), "algorithm": "HMAC-SHA1"})},
            id="unknown-algorithm",
        ),
        pytest.param(
            {
                "signed_request": signed_request(
                    {**meta_payload("218471"), "issued_at": int(time.time()) - 74 * 3600}
                )
            },
            id="issued-too-long-ago",
        ),
        pytest.param(
            {
                "signed_request": signed_request(
                    {**meta_payload("218471"), "issued_at": int(time.time()) + 3600}
                )
            },
            id="issued-in-the-future",
        ),
        pytest.param(
            {"signed_request": signed_request({"algorithm": "HMAC-SHA256", "user_id": "218471"})},
            id="no-issued-at",
        ),
        pytest.param({"signed_request": "no-dot-here"}, id="malformed"),
        pytest.param({"signed_request": "!!!.???"}, id="not-base64"),
        pytest.param({}, id="missing"),
    ],
)
@pytest.mark.parametrize("path", [DELETION, DEAUTHORIZE])
def test_unverifiable_callbacks_get_one_generic_400_and_the_reason_only_in_the_log(
    team: Team, captured_logs: Any, fields: dict[str, str], path: str
) -> None:
    response = post_form(team.http, path, fields)

    assert response.status_code == 400
    error = json.loads(response.body)["error"]
    assert error["code"] == "invalid_signature"
    assert error["message"] == "The request could not be verified."
    assert "details" not in error
    rejected = [line for line in log_lines(captured_logs) if line.get("message") == "webhook rejected"]
    assert len(rejected) == 1
    assert rejected[0]["reason"]
    if fields:
        assert fields["signed_request"] not in captured_logs.getvalue()


def test_deauthorize_revokes_deletes_tokens_and_marks_disconnected(
    team: Team, flow: Flow, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin, connection, user_id = instagram_of_ben(team, flow)

    delivery = {"signed_request": signed_request(meta_payload(user_id))}
    response = post_form(team.http, DEAUTHORIZE, delivery)

    assert response.status_code == 200, response.body
    [listed] = flow.connections(admin)
    assert listed["status"] == "disconnected"
    loaded = stored_connection(admin.workspace_id, connection["id"])
    assert loaded is not None
    assert loaded[1].access == ""
    assert loaded[1].refresh is None
    assert [r["via"] for r in revocations(flow)] == ["DELETE /me/permissions"]
    audit = json.loads(team.http.get("/api/audit", headers=admin.headers).body)["items"]
    assert "connection.deauthorized" in [entry["action"] for entry in audit]
    # a replay changes nothing; with no delay configured, the data goes at once
    assert post_form(team.http, DEAUTHORIZE, delivery).status_code == 200  # the very same delivery again
    assert run_privacy_worker(settings) == 1
    assert flow.connections(admin) == []


def test_a_deauthorize_replayed_after_its_marker_expired_leaves_a_reconnected_account_alone(
    team: Team, flow: Flow
) -> None:
    # GIVEN a deauthorize captured four days ago, when its replay marker (73 h) has long gone
    admin, connection, user_id = instagram_of_ben(team, flow)
    old = signed_request({**meta_payload(user_id), "issued_at": int(time.time()) - 4 * 24 * 3600})

    # WHEN someone posts it again
    response = post_form(team.http, DEAUTHORIZE, {"signed_request": old})

    # THEN it is refused and the connection keeps syncing with its tokens
    assert response.status_code == 400
    [listed] = flow.connections(admin)
    assert listed["status"] != "disconnected"
    loaded = stored_connection(admin.workspace_id, connection["id"])
    assert loaded is not None
    assert loaded[1].access
    assert revocations(flow) == []
