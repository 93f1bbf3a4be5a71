"""Workspace settings (name, data retention) and each member's alert e-mail switches, through the API."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.storage.accounts import AccountsRepository
from tests.functional.team import Persona, Team

ALL_OFF = {
    "viral_post": False,
    "follower_spike": False,
    "follower_drop": False,
    "sync_failed": False,
    "needs_reauth": False,
}


def patch(team: Team, persona: Persona, body: Any) -> Any:
    return team.http.request("PATCH", "/api/workspace", headers=persona.headers, body=json.dumps(body))


def put_preferences(team: Team, persona: Persona, body: Any) -> Any:
    return team.http.request(
        "PUT", "/api/me/alert-preferences", headers=persona.headers, body=json.dumps(body)
    )


def problems(response: Any) -> list[dict[str, str]]:
    details: list[dict[str, str]] = json.loads(response.body)["error"]["details"]
    return details


def test_a_new_workspace_keeps_data_for_the_default_window_within_the_promised_bounds(team: Team) -> None:
    admin = team.create_workspace()

    response = team.http.get("/api/workspace", headers=admin.headers)

    assert response.status_code == 200
    body = json.loads(response.body)
    assert body["retention_days"] == 730
    assert body["retention_bounds"] == {"min": 30, "max": 1095}


def test_an_admin_renames_the_workspace_and_sets_its_retention_and_the_change_is_audited(
    team: Team,
) -> None:
    admin = team.create_workspace("Old name")

    response = patch(team, admin, {"name": "  New name ", "retention_days": 365})

    assert response.status_code == 200, response.body
    changed = json.loads(response.body)
    assert changed["name"] == "New name"
    assert changed["retention_days"] == 365
    assert json.loads(team.http.get("/api/workspace", headers=admin.headers).body) == changed
    workspace = AccountsRepository().get_workspace(admin.workspace_id)  # what ingestion reads
    assert workspace is not None
    assert workspace.retention_days == 365
    assert workspace.retention.days == 365
    [entry] = json.loads(team.http.get("/api/audit?action=workspace.updated", headers=admin.headers).body)[
        "items"
    ]
    assert entry["actor_id"] == admin.member_id
    assert entry["target"] == admin.workspace_id
    assert entry["details"] == {"fields": ["name", "retention_days"], "retention_days": 365}
    assert "New name" not in json.dumps(entry)  # the audit log holds ids and settings, not names


def test_changing_only_the_retention_keeps_the_name(team: Team) -> None:
    admin = team.create_workspace("Studio North")

    response = patch(team, admin, {"retention_days": 30})

    assert response.status_code == 200, response.body
    assert json.loads(response.body)["name"] == "Studio North"
    assert json.loads(response.body)["retention_days"] == 30


@pytest.mark.parametrize("days", [29, 1096, 0, -5])
def test_a_retention_outside_the_bounds_is_refused_naming_the_field(team: Team, days: int) -> None:
    admin = team.create_workspace()

    response = patch(team, admin, {"retention_days": days})

    assert response.status_code == 422
    assert [problem["field"] for problem in problems(response)] == ["retention_days"]
    assert json.loads(team.http.get("/api/workspace", headers=admin.headers).body)["retention_days"] == 730


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "(body)"),
        ({"retention_days": "365"}, "retention_days"),
        ({"name": "   "}, "name"),
        ({"name": "Studio", "colour": "red"}, "colour"),
    ],
)
def test_a_malformed_change_is_refused_naming_the_field(team: Team, body: dict[str, Any], field: str) -> None:
    admin = team.create_workspace()

    response = patch(team, admin, body)

    assert response.status_code == 422
    assert field in [problem["field"] for problem in problems(response)]


def test_only_an_admin_changes_workspace_settings(team: Team) -> None:
    admin = team.create_workspace()
    manager = team.invite(admin, "manager")

    response = patch(team, manager, {"retention_days": 90})

    assert response.status_code == 403
    assert json.loads(team.http.get("/api/workspace", headers=admin.headers).body)["retention_days"] == 730


def test_alert_emails_default_to_the_alerts_that_need_someone_to_act(team: Team) -> None:
    admin = team.create_workspace()
    viewer = team.invite(admin, "viewer")

    response = team.http.get("/api/me/alert-preferences", headers=viewer.headers)

    assert response.status_code == 200
    assert json.loads(response.body) == {
        "email": {
            "viral_post": False,
            "follower_spike": False,
            "follower_drop": False,
            "sync_failed": True,
            "needs_reauth": True,
        }
    }


def test_a_member_chooses_their_alert_emails_and_only_theirs_change(team: Team) -> None:
    admin = team.create_workspace()
    creator = team.invite(admin, "creator")
    chosen = {**ALL_OFF, "viral_post": True, "follower_drop": True}

    response = put_preferences(team, creator, {"email": chosen})

    assert response.status_code == 200, response.body
    assert json.loads(response.body) == {"email": chosen}
    mine = json.loads(team.http.get("/api/me/alert-preferences", headers=creator.headers).body)
    assert mine == {"email": chosen}
    theirs = json.loads(team.http.get("/api/me/alert-preferences", headers=admin.headers).body)
    assert theirs["email"]["viral_post"] is False
    assert theirs["email"]["needs_reauth"] is True


@pytest.mark.parametrize(
    "body",
    [
        {"email": {"viral_post": True}},
        {"email": {**ALL_OFF, "sync_failed": "yes"}},
        {"email": {**ALL_OFF, "weekly_digest": True}},
        {"email": ALL_OFF, "sms": {}},
        {},
    ],
    ids=["missing-switches", "not-a-boolean", "unknown-kind", "unknown-channel", "empty"],
)
def test_alert_preferences_need_all_five_switches_as_booleans(team: Team, body: dict[str, Any]) -> None:
    admin = team.create_workspace()

    response = put_preferences(team, admin, body)

    assert response.status_code == 422
    assert problems(response)
    after = json.loads(team.http.get("/api/me/alert-preferences", headers=admin.headers).body)
    assert after["email"]["sync_failed"] is True  # unchanged
