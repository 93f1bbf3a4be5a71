"""Closing a workspace: everyone out at once, the platforms let go, everything deleted 30 days later.

The clock is advanced for the retention sweep (built here with a clock 30 days ahead), the one part
that decides when a scheduled deletion is due; the privacy worker then runs as the queue would run it.
"""

from __future__ import annotations

import json
import urllib.parse
from datetime import datetime, timedelta
from typing import Any

import boto3

from chalicelib import bootstrap
from chalicelib.domain.connections import ConnectionStatus
from chalicelib.services.erasure import RetentionSweep
from chalicelib.settings import Settings
from chalicelib.storage.privacy import PrivacyRepository
from chalicelib.storage.privacy_queue import SqsPrivacyQueue
from tests.functional.connections.conftest import Flow
from tests.functional.privacy.conftest import connect, run_privacy_worker, stored_connection
from tests.functional.privacy.test_deletion import everything_stored, seed_history
from tests.functional.team import Persona, Team

CLOSE = "/api/workspace/close"


def sweep_at(settings: Settings, moment: datetime) -> dict[str, float]:
    """The hourly retention sweep, run as if it were ``moment``."""
    queue = SqsPrivacyQueue(boto3.client("sqs", region_name=settings.aws_region), settings.privacy_queue_url)

    def clock() -> datetime:
        return moment

    return RetentionSweep(PrivacyRepository(), lambda: queue, clock).run()


def sign_in(team: Team, persona: Persona) -> Any:
    return team.post("/api/auth/sign-in", {"email": persona.email, "password": persona.password})


def error_code(response: Any) -> str:
    return str(json.loads(response.body)["error"]["code"])


def page_of(team: Team, url: str) -> str:
    response = team.http.get(urllib.parse.urlsplit(url).path)
    assert response.status_code == 200
    return str(response.body.decode())


def test_a_closed_workspace_is_locked_at_once_and_leaves_nothing_after_thirty_days(
    team: Team, flow: Flow, settings: Settings
) -> None:
    # GIVEN a workspace with an admin, a creator, a removed member, a pending invitation, an API key,
    # two connected accounts with history, alerts and media, an unfinished connect and an export
    admin = team.create_workspace("Closing Studio")
    creator = team.invite(admin, "creator")
    leaver = team.invite(admin, "viewer")
    assert team.http.delete(f"/api/members/{leaver.member_id}", headers=admin.headers).status_code == 204
    team.post("/api/invitations", {"email": "later@example.com", "role": "viewer"}, admin.headers)
    invitation_token = team.last_token_to("later@example.com")
    key = json.loads(
        team.post(
            "/api/api-keys", {"name": "ci", "scopes": ["workspace.read", "workspace.close"]}, admin.headers
        ).body
    )["key"]
    tiktok = connect(flow, creator, "tiktok", "maya@example.test")
    instagram = connect(flow, admin, "instagram", "ben@example.test")
    seed_history(settings, creator, tiktok)
    seed_history(settings, admin, instagram)
    flow.start(creator, "youtube")
    team.post("/api/privacy/exports", {}, creator.headers)
    run_privacy_worker(settings)
    # AND, elsewhere, a workspace that must not be touched
    bystander = team.create_workspace("Bystander Studio")
    theirs = connect(flow, bystander, "tiktok", "leo@example.test")
    identifying = _identifying(admin, creator, leaver, tiktok, instagram)
    before = everything_stored(settings)
    assert all(any(v in text for texts in before.values() for text in texts) for v in identifying.values())

    # WHEN the admin closes it, typing its name (a wrong name, a creator, an API key are refused first)
    wrong = team.post(CLOSE, {"confirm_name": "Closing"}, admin.headers)
    by_creator = team.post(CLOSE, {"confirm_name": "Closing Studio"}, creator.headers)
    by_key = team.post(
        CLOSE, {"confirm_name": "Closing Studio"}, {**admin.headers, "Authorization": f"Bearer {key}"}
    )
    closed = team.post(CLOSE, {"confirm_name": " Closing Studio "}, admin.headers)

    assert (wrong.status_code, error_code(wrong)) == (400, "confirmation_mismatch")
    assert by_creator.status_code == 403
    assert (by_key.status_code, error_code(by_key)) == (403, "session_required")
    assert closed.status_code == 202, closed.body
    answer = json.loads(closed.body)
    assert set(answer) == {"status", "closed_at", "deletion_due_at", "confirmation_code", "status_url"}
    assert answer["status"] == "closed"
    closed_at = datetime.fromisoformat(answer["closed_at"])
    due = datetime.fromisoformat(answer["deletion_due_at"])
    assert due - closed_at == timedelta(days=30)
    assert answer["status_url"].startswith(settings.public_base_url + "/api/privacy/deletion-status/")
    assert "Max-Age=0" in closed.headers["Set-Cookie"]

    # THEN at once: everyone is signed out, and sign-ins and API keys get a clear 403
    assert team.http.get("/api/me", headers=admin.headers).status_code == 401
    assert team.http.get("/api/me", headers=creator.headers).status_code == 401
    for persona in (admin, creator):
        refused = sign_in(team, persona)
        assert (refused.status_code, error_code(refused)) == (403, "workspace_closed")
    with_key = team.http.get("/api/me", headers={"Authorization": f"Bearer {key}"})
    assert (with_key.status_code, error_code(with_key)) == (403, "workspace_closed")
    wrong_password = team.post("/api/auth/sign-in", {"email": admin.email, "password": "not-the-password-1"})
    assert wrong_password.status_code == 401  # closure is told only to whoever holds the password
    accepted = team.post(
        "/api/invitations/accept", {"token": invitation_token, "name": "L", "password": "x" * 16}
    )
    assert accepted.status_code in (404, 409)
    # AND every connection is revoked at its platform, its tokens deleted and its syncs stopped
    for persona, connection in ((creator, tiktok), (admin, instagram)):
        loaded = stored_connection(persona.workspace_id, connection["id"])
        assert loaded is not None
        assert loaded[0].status is ConnectionStatus.DISCONNECTED
        assert loaded[1].access == ""
        assert loaded[1].refresh is None
    revoked = flow.browser.get("http://simulator.local/_sim/revocations").json()["revocations"]
    assert sorted(r["platform"] for r in revoked) == ["meta", "tiktok"]
    # AND the public status page says pending, with the date the deletion is due
    pending = page_of(team, answer["status_url"])
    assert "data-status='pending'" in pending
    assert "Scheduled for</dt>" in pending
    # AND the data is still there until then: the sweep leaves it alone for 30 days
    run_privacy_worker(settings)
    assert sweep_at(settings, closed_at + timedelta(days=29, hours=23))["sent"] == 0
    assert run_privacy_worker(settings) == 0
    assert stored_connection(creator.workspace_id, tiktok["id"]) is not None

    # WHEN 30 days have passed: the sweep hands the deletion to the worker
    assert sweep_at(settings, due + timedelta(minutes=5))["sent"] == 1
    assert run_privacy_worker(settings) == 1

    # THEN no table or bucket holds anything of the workspace or its people, audit log included
    after = everything_stored(settings)
    for where, texts in after.items():
        for text in texts:
            for what, value in identifying.items():
                assert value not in text, f"{what} left in {where}: {text[:300]}"
    # AND the other workspace is untouched
    assert stored_connection(bystander.workspace_id, theirs["id"]) is not None
    assert sign_in(team, bystander).status_code == 200
    # AND the status page says completed
    assert "data-status='completed'" in page_of(team, answer["status_url"])

    # AND running the deletion again (or the sweep) changes nothing
    record = everything_stored(settings)
    code = answer["confirmation_code"]
    assert bootstrap.services().privacy_worker.delete(code) is None
    boto3.client("sqs", region_name=settings.aws_region).send_message(
        QueueUrl=settings.privacy_queue_url, MessageBody=json.dumps({"kind": "deletion", "code": code})
    )
    assert run_privacy_worker(settings) == 1
    assert sweep_at(settings, due + timedelta(days=1))["sent"] == 0
    assert everything_stored(settings) == record


def test_closing_twice_is_refused_and_a_stale_session_cannot_close_again(team: Team) -> None:
    admin = team.create_workspace("Once")
    other_session = team.sign_in(Persona(admin.email, admin.password, "", "", "admin"))

    first = team.post(CLOSE, {"confirm_name": "Once"}, admin.headers)
    second = team.post(CLOSE, {"confirm_name": "Once"}, other_session.headers)

    assert first.status_code == 202
    assert second.status_code == 401  # every session ended with the closure


def _identifying(*things: Any) -> dict[str, str]:
    admin, creator, leaver, tiktok, instagram = things
    found: dict[str, str] = {"workspace id": admin.workspace_id, "workspace name": "Closing Studio"}
    for label, persona in (("admin", admin), ("creator", creator), ("leaver", leaver)):
        found[f"{label} id"] = persona.member_id
        found[f"{label} email"] = persona.email
    for label, persona, connection in (("tiktok", creator, tiktok), ("instagram", admin, instagram)):
        loaded = stored_connection(persona.workspace_id, connection["id"])
        assert loaded is not None
        found[f"{label} connection id"] = connection["id"]
        found[f"{label} platform user"] = loaded[0].platform_user_id
        found[f"{label} account id"] = connection["account_id"]
        found[f"{label} handle"] = connection["account_name"]
    return found
