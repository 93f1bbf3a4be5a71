"""Alert e-mails: a new alert is mailed once to each member who can see the account and opted in.

The alerts come from the real paths: the ingest worker (follower spike), the last failed delivery of an
ingest message (sync failed) and a token refresh the platform refuses (needs reauth).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

import app as app_module
from chalicelib.bootstrap import services
from chalicelib.domain.platforms import Platform, Profile
from chalicelib.domain.snapshots import ProfileSnapshot
from chalicelib.services.connections import RefreshOutcome
from chalicelib.services.ingestion import SyncRequest
from chalicelib.settings import Settings
from chalicelib.storage.connections import ConnectionItem
from chalicelib.storage.mailers import read_outbox
from chalicelib.storage.metrics import SnapshotRepository
from chalicelib.storage.queues import SqsIngestQueue
from devstack.clock import JobClock
from tests.functional.connections.conftest import PUBLIC_BASE_URL, Flow
from tests.functional.team import Persona, Team

KINDS = ("viral_post", "follower_spike", "follower_drop", "sync_failed", "needs_reauth")


@pytest.fixture
def clock(wired: Settings) -> JobClock:
    return JobClock(app_module, boto3.client("sqs", region_name=wired.aws_region), wired.table_prefix)


def choose(team: Team, persona: Persona, **switches: bool) -> None:
    current = json.loads(team.http.get("/api/me/alert-preferences", headers=persona.headers).body)
    chosen = {**current["email"], **switches}
    response = team.http.request(
        "PUT", "/api/me/alert-preferences", headers=persona.headers, body=json.dumps({"email": chosen})
    )
    assert response.status_code == 200, response.body


def mails_about(outbox: Path, account_name: str) -> list[dict[str, str]]:
    return [m for m in read_outbox(outbox) if account_name in m["subject"]]


def workspace_with_a_creators_account(team: Team, flow: Flow) -> tuple[dict[str, Persona], dict[str, Any]]:
    admin = team.create_workspace()
    people = {"admin": admin}
    for name in ("manager", "analyst", "viewer"):
        people[name] = team.invite(admin, name)
    people["owner"] = team.invite(admin, "creator")
    people["other_creator"] = team.invite(admin, "creator")
    page = flow.connect(people["owner"], "tiktok")
    assert page.status_code == 200, page.body
    [connection] = flow.connections(people["owner"])
    return people, connection


def test_a_follower_spike_mails_the_opted_in_members_who_see_the_account_once(
    team: Team, flow: Flow, clock: JobClock, wired: Settings, outbox: Path
) -> None:
    people, connection = workspace_with_a_creators_account(team, flow)
    for name in ("manager", "viewer", "owner", "other_creator"):
        choose(team, people[name], follower_spike=True)
    # GIVEN yesterday's reading had half today's followers
    truth = flow.browser.get("http://simulator.local/_sim/creators").json()
    account = next(
        a for login in truth["logins"] for a in login["accounts"] if a["handle"] == connection["account_name"]
    )
    half = Profile(Platform.TIKTOK, "x", None, None, followers=account["followers"] // 2)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    SnapshotRepository().write([ProfileSnapshot(connection["id"], yesterday, half)], timedelta(days=30))

    # WHEN the backfill sees the spike, and a redelivered backfill sees the same spike again
    clock.drain()
    queue = SqsIngestQueue(boto3.client("sqs", region_name=wired.aws_region), wired.ingest_queue_url)
    queue.send_batch(
        [
            {
                "workspace_id": people["admin"].workspace_id,
                "connection_id": connection["id"],
                "kind": "backfill",
            }
        ]
    )
    clock.drain()

    # THEN exactly the opted-in members who see the account got one e-mail each
    mails = mails_about(outbox, connection["account_name"])
    assert sorted(m["to"] for m in mails) == sorted(
        people[name].email for name in ("manager", "viewer", "owner")
    )
    for mail in mails:
        assert mail["subject"] == f"{connection['account_name']} is gaining followers fast on TikTok"
        assert f"{PUBLIC_BASE_URL}/alerts" in mail["text"]
        assert f"{PUBLIC_BASE_URL}/settings" in mail["text"]


def test_a_failed_sync_mails_by_default_and_not_those_who_switched_it_off_nor_twice(
    team: Team, flow: Flow, outbox: Path
) -> None:
    people, connection = workspace_with_a_creators_account(team, flow)
    choose(team, people["viewer"], sync_failed=False)
    request = SyncRequest(people["admin"].workspace_id, connection["id"])

    services().ingestion.sync_failed(request, "platform kept failing")
    services().ingestion.sync_failed(request, "platform kept failing")  # the same alert, again

    mails = mails_about(outbox, connection["account_name"])
    assert sorted(m["to"] for m in mails) == sorted(
        people[name].email for name in ("admin", "manager", "analyst", "owner")
    )
    assert {m["subject"] for m in mails} == {
        f"CreatorDeck could not sync {connection['account_name']} on TikTok"
    }


def test_a_creator_is_never_mailed_about_another_creators_account(
    team: Team, flow: Flow, outbox: Path
) -> None:
    people, connection = workspace_with_a_creators_account(team, flow)
    choose(team, people["other_creator"], **dict.fromkeys(KINDS, True))

    services().ingestion.sync_failed(
        SyncRequest(people["admin"].workspace_id, connection["id"]), "platform kept failing"
    )

    recipients = {m["to"] for m in mails_about(outbox, connection["account_name"])}
    assert people["owner"].email in recipients
    assert people["other_creator"].email not in recipients


def test_a_refused_token_refresh_mails_needs_reauth_once_without_tokens_or_ids(
    team: Team, flow: Flow, outbox: Path
) -> None:
    people, connection = workspace_with_a_creators_account(team, flow)
    choose(team, people["analyst"], needs_reauth=False)
    workspace_id = people["admin"].workspace_id
    stored = ConnectionItem.get(f"WORKSPACE#{workspace_id}", f"CONNECTION#{connection['id']}")
    tokens = services().connections.tokens_for_use(workspace_id, connection["id"])
    # GIVEN the creator withdrew the app's access at TikTok
    flow.browser.post(
        "http://simulator.local/_sim/revoke", json={"platform": "tiktok", "user_id": stored.platform_user_id}
    )

    # WHEN the token refresh runs (and runs again)
    first = services().connections.refresh(workspace_id, connection["id"], force=True)
    again = services().connections.refresh(workspace_id, connection["id"], force=True)

    assert (first, again) == (RefreshOutcome.NEEDS_REAUTH, RefreshOutcome.NEEDS_REAUTH)
    mails = mails_about(outbox, connection["account_name"])
    assert sorted(m["to"] for m in mails) == sorted(
        people[name].email for name in ("admin", "manager", "viewer", "owner")
    )
    for mail in mails:
        assert mail["subject"] == f"Reconnect {connection['account_name']} on TikTok"
        assert f"{PUBLIC_BASE_URL}/connections" in mail["text"]
        for secret in (tokens.access_token.reveal(), stored.platform_user_id, stored.account_id):
            assert secret not in mail["text"]
        assert connection["id"] not in mail["text"]
