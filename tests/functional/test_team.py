"""Roles, members, API keys, the audit log, and what authentication costs."""

from __future__ import annotations

import json
from typing import Any

import boto3

from chalicelib.bootstrap import services
from chalicelib.domain.identity import Origin
from chalicelib.security.secret import Secret
from chalicelib.services.auth import Credential, CredentialKind
from chalicelib.settings import Settings
from chalicelib.storage.models import AccountsTable
from tests.conftest import log_lines
from tests.functional.team import Team


def body_of(response: Any) -> Any:
    return json.loads(response.body) if response.body else None


def test_admin_changes_a_role_and_the_change_applies_at_once(team: Team) -> None:
    admin = team.create_workspace()
    viewer = team.invite(admin, "viewer")
    assert team.http.get("/api/invitations", headers=viewer.headers).status_code == 403

    changed = team.http.patch(
        f"/api/members/{viewer.member_id}", headers=admin.headers, body=json.dumps({"role": "manager"})
    )

    assert changed.status_code == 200
    assert body_of(changed)["role"] == "manager"
    assert team.http.get("/api/invitations", headers=viewer.headers).status_code == 200


def test_the_last_admin_cannot_be_demoted_or_removed(team: Team) -> None:
    admin = team.create_workspace()

    demote = team.http.patch(
        f"/api/members/{admin.member_id}", headers=admin.headers, body=json.dumps({"role": "viewer"})
    )
    remove = team.http.delete(f"/api/members/{admin.member_id}", headers=admin.headers)

    assert demote.status_code == remove.status_code == 409
    assert body_of(remove)["error"]["code"] == "last_admin"


def test_a_removed_member_is_signed_out_and_their_keys_stop_working(team: Team) -> None:
    admin = team.create_workspace()
    analyst = team.invite(admin, "analyst")
    key = body_of(team.post("/api/api-keys", {"name": "ci", "scopes": ["workspace.read"]}, analyst.headers))[
        "key"
    ]

    assert team.http.delete(f"/api/members/{analyst.member_id}", headers=admin.headers).status_code == 204

    assert team.http.get("/api/me", headers=analyst.headers).status_code == 401
    assert team.http.get("/api/workspace", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    assert analyst.email not in {
        m["email"] for m in body_of(team.http.get("/api/members", headers=admin.headers))["items"]
    }


def test_an_api_key_is_shown_once_works_within_its_scopes_and_records_its_use(team: Team) -> None:
    admin = team.create_workspace()
    created = team.post(
        "/api/api-keys", {"name": "reporting", "scopes": ["workspace.read", "members.list"]}, admin.headers
    )
    assert created.status_code == 201
    key = body_of(created)["key"]
    bearer = {"Authorization": f"Bearer {key}"}

    assert team.http.get("/api/members", headers=bearer).status_code == 200
    assert team.http.get("/api/audit", headers=bearer).status_code == 403  # admin may, the key may not

    listed = body_of(team.http.get("/api/api-keys", headers=admin.headers))["items"]
    assert key not in json.dumps(listed)
    assert listed[0]["last_used_at"] is not None
    assert listed[0]["prefix"] in key


def test_a_key_cannot_have_scopes_beyond_its_owners_role(team: Team) -> None:
    admin = team.create_workspace()
    viewer = team.invite(admin, "viewer")

    response = team.post("/api/api-keys", {"name": "sneaky", "scopes": ["audit.read"]}, viewer.headers)

    assert response.status_code == 403
    assert body_of(response)["error"]["details"] == {"scopes": ["audit.read"]}


def test_a_revoked_key_is_refused(team: Team) -> None:
    admin = team.create_workspace()
    created = body_of(
        team.post("/api/api-keys", {"name": "temp", "scopes": ["workspace.read"]}, admin.headers)
    )

    assert (
        team.http.delete(f"/api/api-keys/{created['api_key']['id']}", headers=admin.headers).status_code
        == 204
    )

    response = team.http.get("/api/workspace", headers={"Authorization": f"Bearer {created['key']}"})
    assert response.status_code == 401
    assert body_of(response)["error"]["code"] == "invalid_api_key"


def test_audit_log_records_who_did_what_and_filters_and_pages(team: Team) -> None:
    admin = team.create_workspace()
    viewer = team.invite(admin, "viewer")
    team.post("/api/auth/sign-in", {"email": viewer.email, "password": "wrong password"})
    team.http.patch(
        f"/api/members/{viewer.member_id}", headers=admin.headers, body=json.dumps({"role": "analyst"})
    )
    team.post("/api/api-keys", {"name": "k", "scopes": ["workspace.read"]}, admin.headers)

    entries = body_of(team.http.get("/api/audit?limit=100", headers=admin.headers))["items"]
    actions = {entry["action"] for entry in entries}
    assert {
        "invitation.created",
        "invitation.accepted",
        "auth.sign_in",
        "auth.sign_in_failed",
        "member.role_changed",
        "api_key.created",
    } <= actions
    role_change = next(e for e in entries if e["action"] == "member.role_changed")
    assert role_change["actor_id"] == admin.member_id
    assert role_change["target"] == viewer.member_id
    assert role_change["ip"] == "127.0.0.1"

    by_viewer = body_of(team.http.get(f"/api/audit?actor={viewer.member_id}", headers=admin.headers))["items"]
    assert by_viewer
    assert {e["actor_id"] for e in by_viewer} == {viewer.member_id}
    failures = body_of(team.http.get("/api/audit?action=auth.sign_in_failed", headers=admin.headers))["items"]
    assert [e["target"] for e in failures] == [viewer.member_id]

    first = body_of(team.http.get("/api/audit?limit=2", headers=admin.headers))
    second = body_of(team.http.get(f"/api/audit?limit=2&cursor={first['cursor']}", headers=admin.headers))
    assert len(first["items"]) == 2
    assert not {e["id"] for e in first["items"]} & {e["id"] for e in second["items"]}


def test_a_cursor_from_another_workspace_is_refused(team: Team) -> None:
    first = team.create_workspace()
    other = team.create_workspace("Other")
    cursor = body_of(team.http.get("/api/audit?limit=1", headers=first.headers))["cursor"]

    response = team.http.get(f"/api/audit?limit=1&cursor={cursor}", headers=other.headers)

    assert response.status_code == 400
    assert body_of(response)["error"]["code"] == "invalid_cursor"


def test_unknown_query_parameters_are_refused(team: Team) -> None:
    admin = team.create_workspace()

    response = team.http.get("/api/audit?limit=many&colour=red", headers=admin.headers)

    assert response.status_code == 422
    assert {p["field"] for p in body_of(response)["error"]["details"]} == {"limit", "colour"}


def count_dynamodb_calls() -> list[str]:
    calls: list[str] = []
    client = AccountsTable._get_connection().connection.client
    client.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))
    return calls


def test_authenticating_a_request_costs_two_dynamodb_calls(team: Team) -> None:
    admin = team.create_workspace()
    key = body_of(team.post("/api/api-keys", {"name": "k", "scopes": ["workspace.read"]}, admin.headers))[
        "key"
    ]
    cookie = team.post(
        "/api/auth/sign-in", {"email": admin.email, "password": admin.password, "mode": "cookie"}
    )
    session = cookie.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    credentials = [
        Credential(CredentialKind.BEARER, Secret(admin.access_token)),
        Credential(CredentialKind.BEARER, Secret(key)),
        Credential(CredentialKind.COOKIE, Secret(session)),
    ]
    calls = count_dynamodb_calls()

    for credential in credentials:
        calls.clear()
        services().auth.authenticate(credential, Origin())
        assert len(calls) == 2, calls


def test_no_password_token_or_code_is_stored_in_plaintext_or_logged(
    team: Team, aws: Settings, captured_logs: Any
) -> None:
    admin = team.create_workspace()
    viewer = team.invite(admin, "viewer")
    key = body_of(team.post("/api/api-keys", {"name": "k", "scopes": ["workspace.read"]}, admin.headers))[
        "key"
    ]
    team.post("/api/auth/password-reset", {"email": viewer.email})
    reset_token = team.last_token_to(viewer.email)
    refreshed = body_of(team.post("/api/auth/refresh", {"refresh_token": admin.refresh_token}))
    secrets = [
        admin.password,
        viewer.password,
        admin.access_token,
        admin.refresh_token,
        refreshed["refresh_token"],
        key,
        key.split("_")[2],
        reset_token,
        admin.refresh_token.split(".")[1],
    ]

    dynamodb = boto3.client("dynamodb", region_name=aws.aws_region)
    dump = ""
    for table in dynamodb.list_tables()["TableNames"]:
        for page in dynamodb.get_paginator("scan").paginate(TableName=table):
            dump += json.dumps(page["Items"])
    logged = captured_logs.getvalue()

    assert "password_hash" in dump  # the scan did see members
    for secret in secrets:
        assert secret not in dump
        assert secret not in logged
    assert log_lines(captured_logs)
