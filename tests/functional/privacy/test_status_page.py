"""The public deletion status page, for people: pending or completed with dates, and nothing else."""

from __future__ import annotations

import json
import re
import urllib.parse
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.privacy import DeletionRequest, DeletionSource, DeletionStatus
from chalicelib.settings import Settings
from chalicelib.storage.privacy import PrivacyRepository
from tests.functional.connections.conftest import Flow
from tests.functional.privacy.conftest import (
    connect,
    meta_payload,
    platform_user_id,
    post_form,
    run_privacy_worker,
    signed_request,
)
from tests.functional.team import Team

PAGE = "/api/privacy/deletion-status/"


def assert_strict_page(response: Any) -> str:
    """A server-rendered page that can run, load, submit and leak nothing."""
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "script-src" not in csp  # falls back to 'none'
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "form-action 'none'" in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    text: str = response.body.decode()
    assert "<script" not in text
    assert re.search(r"\son\w+=", text) is None  # no inline event handlers
    return text


def test_the_data_deletion_callbacks_url_opens_the_page_pending_then_completed(
    team: Team, flow: Flow, settings: Settings
) -> None:
    # GIVEN Ben's Instagram account, and Meta's data-deletion callback for him
    admin = team.create_workspace()
    connection = connect(flow, admin, "instagram", "ben@example.test")
    user_id = platform_user_id(admin, connection["id"])
    response = post_form(
        team.http,
        "/api/webhooks/meta/data-deletion",
        {"signed_request": signed_request(meta_payload(user_id))},
    )
    answer = json.loads(response.body)

    # WHEN the person opens the answer's url (absolute, on the public URL)
    url = urllib.parse.urlsplit(answer["url"])
    assert f"{url.scheme}://{url.netloc}" == settings.public_base_url
    assert url.path == PAGE + answer["confirmation_code"]
    pending = team.http.get(url.path)

    # THEN it is a page saying pending, with the request's date, and nothing about whom it concerns
    assert pending.status_code == 200
    text = assert_strict_page(pending)
    assert "data-status='pending'" in text
    assert answer["confirmation_code"] in text
    assert "<time datetime='" in text
    for personal in (user_id, connection["account_id"], connection["account_name"], admin.email, "Ben"):
        assert personal not in text

    # AND once the worker ran, it says completed, with the completion date
    assert run_privacy_worker(settings) == 1
    done = assert_strict_page(team.http.get(url.path))
    assert "data-status='completed'" in done
    assert "Completed</dt>" in done
    assert done.count("<time datetime='") == 2


def test_a_member_deletion_request_answers_the_page_url(team: Team) -> None:
    admin = team.create_workspace()
    creator = team.invite(admin, "creator")

    response = team.post("/api/privacy/deletions", {"scope": "creator_data"}, creator.headers)

    body = json.loads(response.body)
    url = urllib.parse.urlsplit(body["url"])
    assert url.path == PAGE + body["confirmation_code"]
    assert team.http.get(url.path).status_code == 200
    # AND the JSON status stays for the web app and the API
    assert json.loads(team.http.get(f"/api/privacy/deletions/{body['confirmation_code']}").body)["status"]


def test_a_scheduled_deletion_shows_the_date_it_is_due(team: Team, settings: Settings) -> None:
    now = datetime.now(UTC)
    PrivacyRepository().create_deletion(
        DeletionRequest(
            code="D" * 32,
            source=DeletionSource.META_DEAUTHORIZED,
            status=DeletionStatus.PENDING,
            requested_at=now,
            due_at=now + timedelta(days=30),
        )
    )

    text = assert_strict_page(team.http.get(PAGE + "D" * 32))

    assert "Scheduled for</dt>" in text
    assert f"datetime='{(now + timedelta(days=30)).isoformat()}'" in text


@pytest.mark.parametrize(
    "code",
    ["A" * 32, "NOPE", "a" * 32, "<script>alert(1)</script>", "%3Cb%3E", "0" * 200],
    ids=["unknown", "short", "lowercase", "markup", "encoded", "long"],
)
def test_an_unknown_or_malformed_code_gets_one_and_the_same_404_page(team: Team, code: str) -> None:
    response = team.http.get(PAGE + urllib.parse.quote(code, safe="%"))

    assert response.status_code == 404
    text = assert_strict_page(response)
    assert "data-status='unknown'" in text
    assert text == assert_strict_page(team.http.get(PAGE + "B" * 32))  # the same page, whatever the code
    assert "alert(1)" not in text
