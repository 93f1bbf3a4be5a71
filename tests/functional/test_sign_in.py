"""Invite-only sign-in: invitations, sessions, refresh rotation, lockout, password reset."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.identity import Invitation, InvitationStatus
from chalicelib.domain.permissions import Role
from chalicelib.security.tokens import hash_secret
from chalicelib.storage.accounts import AccountsRepository
from chalicelib.storage.mailers import read_outbox
from tests.functional.team import JSON, Team, token_in_link


def body_of(response: Any) -> Any:
    return json.loads(response.body) if response.body else None


def error_code(response: Any) -> str:
    return str(body_of(response)["error"]["code"])


def test_operator_command_prints_a_one_time_invitation_for_the_first_admin(
    aws: Any, team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    from chalicelib.cli import main

    assert main(["workspace", "create", "--name", "Studio North", "--admin-email", "Ana@Example.com"]) == 0

    printed = capsys.readouterr().out
    assert "Studio North" in printed
    token = token_in_link(printed)
    preview = team.post("/api/invitations/preview", {"token": token})
    assert body_of(preview)["email"] == "ana@example.com"
    assert body_of(preview)["role"] == "admin"
    team.accept(token, "ana@example.com", "admin")
    assert team.post("/api/invitations/preview", {"token": token}).status_code == 404


def test_operator_command_refuses_bad_arguments(aws: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from chalicelib.cli import main

    with pytest.raises(SystemExit):
        main(["workspace", "create", "--name", " ", "--admin-email", "nobody"])


def test_an_invitation_works_once(team: Team) -> None:
    admin = team.create_workspace()
    team.post("/api/invitations", {"email": "vera@example.com", "role": "viewer"}, admin.headers)
    token = team.last_token_to("vera@example.com")
    team.accept(token, "vera@example.com", "viewer")

    again = team.post(
        "/api/invitations/accept", {"token": token, "name": "Eve", "password": "another long password"}
    )

    assert again.status_code == 404
    assert error_code(again) == "invitation_unusable"


def test_an_expired_invitation_cannot_be_accepted(team: Team) -> None:
    admin = team.create_workspace()
    past = datetime.now(UTC) - timedelta(days=8)
    invitation = Invitation(
        "old-invite",
        admin.workspace_id,
        "late@example.com",
        Role.VIEWER,
        InvitationStatus.PENDING,
        admin.member_id,
        past,
        past + timedelta(days=7),
    )
    AccountsRepository().create_invitation(invitation, hash_secret("expired-token-value-123"))

    response = team.post(
        "/api/invitations/accept",
        {"token": "expired-token-value-123", "name": "Late", "password": "long enough password"},
    )

    assert response.status_code == 404
    listed = body_of(team.http.get("/api/invitations", headers=admin.headers))["items"]
    assert [i["status"] for i in listed if i["id"] == "old-invite"] == ["expired"]


def test_a_revoked_invitation_cannot_be_accepted(team: Team) -> None:
    admin = team.create_workspace()
    created = body_of(
        team.post("/api/invitations", {"email": "x@example.com", "role": "analyst"}, admin.headers)
    )

    revoked = team.http.delete(f"/api/invitations/{created['id']}", headers=admin.headers)

    assert revoked.status_code == 200
    assert body_of(revoked)["status"] == "revoked"
    token = team.last_token_to("x@example.com")
    assert (
        team.post(
            "/api/invitations/accept", {"token": token, "name": "X", "password": "long enough password"}
        ).status_code
        == 404
    )


def test_managers_invite_analysts_but_not_admins(team: Team) -> None:
    admin = team.create_workspace()
    manager = team.invite(admin, "manager")

    allowed = team.post("/api/invitations", {"email": "a@example.com", "role": "analyst"}, manager.headers)
    refused = team.post("/api/invitations", {"email": "b@example.com", "role": "admin"}, manager.headers)

    assert allowed.status_code == 201
    assert refused.status_code == 403
    assert error_code(refused) == "role_not_grantable"


def test_inviting_an_existing_member_is_a_conflict(team: Team) -> None:
    admin = team.create_workspace()

    response = team.post("/api/invitations", {"email": admin.email, "role": "viewer"}, admin.headers)

    assert response.status_code == 409


def test_wrong_password_and_unknown_email_get_the_same_answer(team: Team) -> None:
    admin = team.create_workspace()

    wrong = team.post("/api/auth/sign-in", {"email": admin.email, "password": "not the password"})
    unknown = team.post("/api/auth/sign-in", {"email": "nobody@example.com", "password": "not the password"})

    assert wrong.status_code == unknown.status_code == 401
    assert body_of(wrong)["error"]["message"] == body_of(unknown)["error"]["message"]
    assert error_code(wrong) == error_code(unknown) == "invalid_credentials"


@pytest.mark.parametrize("exists", [True, False], ids=["known-email", "unknown-email"])
def test_five_failures_lock_the_account_for_a_while(team: Team, exists: bool) -> None:
    admin = team.create_workspace()
    email = admin.email if exists else "ghost@example.com"
    for _ in range(5):
        assert (
            team.post("/api/auth/sign-in", {"email": email, "password": "wrong password"}).status_code == 401
        )

    locked = team.post("/api/auth/sign-in", {"email": email, "password": admin.password})

    assert locked.status_code == 429
    assert error_code(locked) == "too_many_attempts"
    assert int(locked.headers["Retry-After"]) > 800


def test_refresh_rotates_and_a_replayed_refresh_token_ends_the_session(team: Team) -> None:
    admin = team.create_workspace()
    first = admin.refresh_token

    rotated = team.post("/api/auth/refresh", {"refresh_token": first})
    assert rotated.status_code == 200
    second = body_of(rotated)["refresh_token"]
    assert second != first

    replay = team.post("/api/auth/refresh", {"refresh_token": first})
    assert replay.status_code == 401
    # The whole family is gone: the newest token and its access token stop working too.
    assert team.post("/api/auth/refresh", {"refresh_token": second}).status_code == 401
    new_access = body_of(rotated)["access_token"]
    assert team.http.get("/api/me", headers={"Authorization": f"Bearer {new_access}"}).status_code == 401


def test_sign_out_revokes_the_session(team: Team) -> None:
    admin = team.create_workspace()

    assert team.http.post("/api/auth/sign-out", headers=admin.headers).status_code == 204

    assert team.http.get("/api/me", headers=admin.headers).status_code == 401
    assert team.post("/api/auth/refresh", {"refresh_token": admin.refresh_token}).status_code == 401


def test_the_web_app_gets_one_strict_http_only_cookie_and_no_tokens(team: Team) -> None:
    admin = team.create_workspace()

    response = team.post(
        "/api/auth/sign-in", {"email": admin.email, "password": admin.password, "mode": "cookie"}
    )

    assert response.status_code == 200
    assert set(body_of(response)) == {"member"}
    cookie = response.headers["Set-Cookie"]
    for attribute in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/"):
        assert attribute in cookie
    session = cookie.split(";")[0]
    me = team.http.get("/api/me", headers={"Cookie": session})
    assert me.status_code == 200
    out = team.http.post("/api/auth/sign-out", headers={"Cookie": session})
    assert "Max-Age=0" in out.headers["Set-Cookie"]
    assert team.http.get("/api/me", headers={"Cookie": session}).status_code == 401


def test_password_reset_link_works_once_and_signs_out_everywhere(team: Team, outbox: Path) -> None:
    admin = team.create_workspace()

    asked = team.post("/api/auth/password-reset", {"email": admin.email})
    assert asked.status_code == 202
    token = team.last_token_to(admin.email)
    new_password = "a brand new password"

    assert (
        team.post("/api/auth/password-reset/confirm", {"token": token, "password": new_password}).status_code
        == 204
    )

    assert team.http.get("/api/me", headers=admin.headers).status_code == 401
    assert (
        team.post("/api/auth/sign-in", {"email": admin.email, "password": admin.password}).status_code == 401
    )
    assert team.post("/api/auth/sign-in", {"email": admin.email, "password": new_password}).status_code == 200
    reused = team.post(
        "/api/auth/password-reset/confirm", {"token": token, "password": "yet another password"}
    )
    assert reused.status_code == 404
    assert error_code(reused) == "reset_link_unusable"


def test_password_reset_for_an_unknown_email_answers_the_same_and_sends_nothing(
    team: Team, outbox: Path
) -> None:
    team.create_workspace()
    before = len(read_outbox(outbox))

    response = team.post("/api/auth/password-reset", {"email": "nobody@example.com"})

    assert response.status_code == 202
    assert len(read_outbox(outbox)) == before


def test_changing_the_password_needs_the_current_one(team: Team) -> None:
    admin = team.create_workspace()

    wrong = team.post(
        "/api/me/password",
        {"current_password": "guess", "new_password": "a new long password"},
        admin.headers,
    )
    right = team.post(
        "/api/me/password",
        {"current_password": admin.password, "new_password": "a new long password"},
        admin.headers,
    )

    assert wrong.status_code == 400
    assert right.status_code == 204
    assert (
        team.post("/api/auth/sign-in", {"email": admin.email, "password": "a new long password"}).status_code
        == 200
    )


def test_a_short_password_is_refused_without_echoing_it(team: Team) -> None:
    admin = team.create_workspace()
    team.post("/api/invitations", {"email": "s@example.com", "role": "viewer"}, admin.headers)

    response = team.post(
        "/api/invitations/accept",
        {"token": team.last_token_to("s@example.com"), "name": "S", "password": "tiny"},
    )

    assert response.status_code == 422
    assert "tiny" not in response.body.decode()


def test_session_tokens_and_json_content_are_required(team: Team) -> None:
    assert team.http.get("/api/me").status_code == 401
    assert team.http.get("/api/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    assert team.http.get("/api/me", headers={**JSON, "Cookie": "cd_session=abc.def"}).status_code == 401
