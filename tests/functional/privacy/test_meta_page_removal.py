"""A Page removing the app: ``user_id: "0"`` with the Page's id as ``profile_id`` (meta.md §6.1, [C]).

Both readings are handled: a Page found by its id, a person found by their app-scoped user id, or
both in one request. Signed vectors are made here with the Meta app secret, as Meta signs them.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest

from chalicelib.domain.connections import ConnectionStatus
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
from tests.functional.team import Persona, Team

DELETION = "/api/webhooks/meta/data-deletion"
DEAUTHORIZE = "/api/webhooks/meta/deauthorize"


def page_and_instagram(team: Team, flow: Flow) -> tuple[Persona, dict[str, Any], dict[str, Any]]:
    admin = team.create_workspace()
    page = connect(flow, admin, "facebook", "ben@example.test")
    instagram = connect(flow, admin, "instagram", "ben@example.test")
    return admin, page, instagram


def page_removed(page_id: str, **extra: Any) -> dict[str, str]:
    return {"signed_request": signed_request(meta_payload("0", profile_id=page_id, **extra))}


def test_a_page_removing_the_app_disconnects_that_page_and_keeps_the_persons_other_accounts(
    team: Team, flow: Flow, settings: Settings
) -> None:
    # GIVEN Ben connected his Facebook Page and his Instagram account
    admin, page, instagram = page_and_instagram(team, flow)

    # WHEN Meta reports the Page removing the app: user_id "0", the Page's id as profile_id
    response = post_form(team.http, DEAUTHORIZE, page_removed(page["account_id"]))

    # THEN the Page's connection is disconnected (tokens gone, syncs stopped), found by the Page's id
    assert response.status_code == 200, response.body
    loaded = stored_connection(admin.workspace_id, page["id"])
    assert loaded is not None
    assert loaded[0].status is ConnectionStatus.DISCONNECTED
    assert loaded[1].access == ""
    # AND Ben's Instagram account (another Meta profile of the same person) is left connected, and
    # his Meta grant, which it still uses, is not revoked
    other = stored_connection(admin.workspace_id, instagram["id"])
    assert other is not None
    assert other[0].status is ConnectionStatus.ACTIVE
    revocations = flow.browser.get("http://simulator.local/_sim/revocations").json()["revocations"]
    assert revocations == []


def test_a_page_data_deletion_request_deletes_the_page_found_by_its_id(
    team: Team, flow: Flow, settings: Settings
) -> None:
    admin, page, instagram = page_and_instagram(team, flow)

    response = post_form(team.http, DELETION, page_removed(page["account_id"]))

    assert response.status_code == 200, response.body
    answer = json.loads(response.body)
    assert answer["url"].endswith(f"/api/privacy/deletion-status/{answer['confirmation_code']}")
    assert run_privacy_worker(settings) == 1
    assert stored_connection(admin.workspace_id, page["id"]) is None
    assert stored_connection(admin.workspace_id, instagram["id"]) is not None
    page_path = urllib.parse.urlsplit(answer["url"]).path
    assert "data-status='completed'" in team.http.get(page_path).body.decode()


def test_an_instagram_account_is_found_by_its_own_id_as_profile_id(
    team: Team, flow: Flow, settings: Settings
) -> None:
    admin, page, instagram = page_and_instagram(team, flow)

    response = post_form(team.http, DEAUTHORIZE, page_removed(instagram["account_id"]))

    assert response.status_code == 200, response.body
    loaded = stored_connection(admin.workspace_id, instagram["id"])
    assert loaded is not None
    assert loaded[0].status is ConnectionStatus.DISCONNECTED
    page_loaded = stored_connection(admin.workspace_id, page["id"])
    assert page_loaded is not None
    assert page_loaded[0].status is ConnectionStatus.ACTIVE


def connect_chosen_page(flow: Flow, persona: Persona, user: str, name: str) -> dict[str, Any]:
    """A Meta login with several Pages: the member picks one by name."""
    flow.knobs(next_user=user)
    page = flow.connect(persona, "facebook").body.decode()
    pending_id = page.split("data-pending='", 1)[1].split("'", 1)[0]
    choice = json.loads(
        flow.team.http.get(f"/api/connections/pending/{pending_id}", headers=persona.headers).body
    )
    [picked] = [a["id"] for a in choice["accounts"] if a["name"] == name]
    response = flow.team.post(
        f"/api/connections/pending/{pending_id}", {"account_ids": [picked]}, persona.headers
    )
    assert response.status_code == 201, response.body
    [connection] = json.loads(response.body)["items"]
    return dict(connection)


def test_a_user_id_with_a_profile_id_reaches_both_the_person_and_the_page(
    team: Team, flow: Flow, settings: Settings
) -> None:
    # GIVEN Ben's Page and Instagram account, and, in another workspace, Ana's family Page
    admin, page, instagram = page_and_instagram(team, flow)
    other = team.create_workspace("Other")
    kitchen = connect_chosen_page(flow, other, "ana@example.test", "Souza Family Kitchen")
    ben = platform_user_id(admin, page["id"])

    # WHEN a request names Ben as the person and Ana's Page as the profile
    fields = {"signed_request": signed_request(meta_payload(ben, profile_id=kitchen["account_id"]))}
    response = post_form(team.http, DELETION, fields)

    # THEN Ben's accounts and that Page are all deleted
    assert response.status_code == 200, response.body
    assert run_privacy_worker(settings) == 1
    assert stored_connection(admin.workspace_id, page["id"]) is None
    assert stored_connection(admin.workspace_id, instagram["id"]) is None
    assert stored_connection(other.workspace_id, kitchen["id"]) is None


@pytest.mark.parametrize("path", [DELETION, DEAUTHORIZE], ids=["data-deletion", "deauthorize"])
@pytest.mark.parametrize(
    "extra",
    [{}, {"profile_id": ""}, {"profile_id": "0"}, {"profile_id": {"id": "1"}}, {"profile_id": True}],
    ids=["no-profile", "empty", "zero", "object", "boolean"],
)
def test_user_id_zero_without_a_usable_profile_id_is_rejected_like_a_malformed_request(
    team: Team, flow: Flow, captured_logs: Any, path: str, extra: dict[str, Any]
) -> None:
    admin, page, _ = page_and_instagram(team, flow)

    fields = {"signed_request": signed_request(meta_payload("0", **extra))}
    response = post_form(team.http, path, fields)

    assert response.status_code == 400
    error = json.loads(response.body)["error"]
    assert error["code"] == "invalid_signature"
    assert error["message"] == "The request could not be verified."
    assert error.get("details") in (None, {}, [])
    loaded = stored_connection(admin.workspace_id, page["id"])
    assert loaded is not None
    assert loaded[0].status is ConnectionStatus.ACTIVE
    rejected = [line for line in log_lines(captured_logs) if line.get("message") == "webhook rejected"]
    expected = "user_id 0 without a usable profile_id" if "profile_id" in extra else "no user_id"
    assert [line["reason"] for line in rejected] == [expected]
    assert fields["signed_request"] not in captured_logs.getvalue()


def test_a_page_nobody_connected_is_answered_and_completed_with_nothing_deleted(
    team: Team, flow: Flow, settings: Settings
) -> None:
    admin, page, instagram = page_and_instagram(team, flow)

    response = post_form(team.http, DELETION, page_removed("999000111222333"))

    assert response.status_code == 200
    assert run_privacy_worker(settings) == 1
    assert stored_connection(admin.workspace_id, page["id"]) is not None
    assert stored_connection(admin.workspace_id, instagram["id"]) is not None
