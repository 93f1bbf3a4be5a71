"""Deletion on request, carried out by the privacy worker: zero residue, twice harmless, alarms on delay."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import boto3
import pytest

import app as app_module
from chalicelib import bootstrap
from chalicelib.domain.account_rollup import roll_up
from chalicelib.domain.connections import Alert
from chalicelib.domain.platforms import (
    Demographics,
    MediaType,
    Platform,
    Post,
    PostMetrics,
    Profile,
    Share,
)
from chalicelib.domain.privacy import DeletionRequest, DeletionSource, DeletionStatus
from chalicelib.domain.snapshots import DemographicsSnapshot, PostSnapshot, ProfileSnapshot
from chalicelib.security.tokens import new_id
from chalicelib.settings import Settings
from chalicelib.storage.account_rollup_writes import WorkerRollups
from chalicelib.storage.connections import ConnectionsRepository
from chalicelib.storage.metrics import SnapshotRepository
from chalicelib.storage.models import TABLES
from chalicelib.storage.posts import PostRepository, StoredPost
from chalicelib.storage.privacy import PrivacyRepository
from devstack.clock import JobClock
from devstack.lambda_events import LambdaContext
from tests.conftest import load_event
from tests.functional.connections.conftest import Flow
from tests.functional.privacy.conftest import connect, run_privacy_worker, stored_connection
from tests.functional.team import Persona, Team

SWEEP = LambdaContext(function_name="retention-sweep")


@pytest.fixture
def clock(settings: Settings) -> JobClock:
    """Hands queued ingest messages to the app's own worker, as the event source mapping does."""
    return JobClock(app_module, boto3.client("sqs", region_name=settings.aws_region), settings.table_prefix)


def seed_history(settings: Settings, persona: Persona, connection: dict[str, Any]) -> None:
    """What ingestion (the account rollup too), alerts and uploads leave behind for one connection and
    its creator."""
    now = datetime.now(UTC)
    cid = connection["id"]
    platform = Platform(connection["platform"])
    profile = Profile(
        platform, connection["account_id"], connection["account_name"], "Maya", followers=50_000
    )
    post = Post(platform, "7300000000000000001", now - timedelta(days=2), "my caption", None, MediaType.VIDEO)
    metrics = PostMetrics(post.id, views=1000, likes=10)
    SnapshotRepository().write(
        [
            ProfileSnapshot(cid, now, profile),
            PostSnapshot(cid, now, metrics),
            DemographicsSnapshot(cid, now, Demographics(platform, countries=(Share("US", 0.5),))),
        ],
        timedelta(days=730),
    )
    PostRepository().save([StoredPost(cid, post, metrics, now)], timedelta(days=730))
    loaded = stored_connection(persona.workspace_id, cid)
    assert loaded is not None
    rollup = roll_up([(now.date(), 50_000)], [], [(post, metrics)], now, timedelta(days=730))
    assert WorkerRollups().record(loaded[0], rollup, None)
    ConnectionsRepository().record_alert(
        Alert(new_id(), persona.workspace_id, "viral_post", cid, platform, connection["account_name"], now)
    )
    s3 = boto3.client("s3", region_name=settings.aws_region)
    s3.put_object(Bucket=settings.media_bucket, Key=f"{persona.workspace_id}/{cid}/thumb.jpg", Body=b"jpg")
    s3.put_object(
        Bucket=settings.media_bucket, Key=f"{persona.workspace_id}/{persona.member_id}/up.mp4", Body=b"mp4"
    )


def everything_stored(settings: Settings) -> dict[str, list[str]]:
    """Every item of every table and every object of every bucket, as text."""
    dynamodb = boto3.client("dynamodb", region_name=settings.aws_region)
    s3 = boto3.client("s3", region_name=settings.aws_region)
    found: dict[str, list[str]] = {}
    for table in TABLES:
        name = settings.table_name(table.logical_name)
        items = dynamodb.get_paginator("scan").paginate(TableName=name)
        found[table.logical_name] = [
            json.dumps(item, sort_keys=True) for page in items for item in page["Items"]
        ]
    for bucket in (settings.media_bucket, settings.exports_bucket):
        objects = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
        found[bucket] = [
            obj["Key"]
            + " "
            + s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read().decode(errors="replace")
            for obj in objects
        ]
    return found


# Who the creator signs in as on each platform's consent page (the simulator's seeded logins), and
# which simulator login serves that platform.
FIVE_PLATFORMS: Final = (
    ("tiktok", "maya@example.test", "tiktok"),
    ("facebook", "ben@example.test", "meta"),
    ("instagram", "ben@example.test", "meta"),
    ("threads", "ben.okafor@example.test", "threads"),
    ("youtube", "kai@example.test", "google"),
)


# What the product never keeps of a platform login: the Meta person's name, the Google account's id.
NEVER_STORED: Final = frozenset({"facebook login name", "instagram login name", "youtube login id"})


def connect_everywhere(flow: Flow, persona: Persona) -> list[dict[str, Any]]:
    """The creator connects TikTok, a Facebook Page, Instagram, Threads and YouTube through OAuth."""
    return [connect(flow, persona, platform, user) for platform, user, _ in FIVE_PLATFORMS]


def identifiers_of(flow: Flow, persona: Persona, connections: list[dict[str, Any]]) -> dict[str, str]:
    """Everything that names the person: their member id, email and name, and for each connection its
    id, the platform's user id (open_id, app-scoped id, ...), the account's id, handle and display name,
    and the platform login's id and name, as the simulator knows them."""
    found = {
        "member id": persona.member_id,
        "email": persona.email,
        "name": persona.email.split("@")[0],
    }
    logins = flow.browser.get("http://simulator.local/_sim/creators").json()["logins"]
    for connection, (platform, user, login_platform) in zip(connections, FIVE_PLATFORMS, strict=True):
        loaded = stored_connection(persona.workspace_id, connection["id"])
        assert loaded is not None
        [login] = [x for x in logins if x["platform"] == login_platform and x["email"] == user]
        [account] = [a for a in login["accounts"] if a["id"] == connection["account_id"]]
        found |= {
            f"{platform} connection id": connection["id"],
            f"{platform} platform user id": loaded[0].platform_user_id,
            f"{platform} login id": login["user_id"],
            f"{platform} login name": login["name"],
            f"{platform} account id": connection["account_id"],
            f"{platform} handle": account["handle"],
            f"{platform} display name": account["name"],
            f"{platform} account name": connection["account_name"],
        }
    return found


def mentions(text: str, value: str) -> bool:
    """Whether ``text`` holds ``value``; a short one (a first name) only as a whole word, so that it is
    not found by chance inside a random id or a sealed token."""
    if len(value) >= 6:
        return value in text
    return re.search(rf"(?<![A-Za-z0-9_-]){re.escape(value)}(?![A-Za-z0-9_-])", text) is not None


def test_a_creator_deleting_their_account_leaves_nothing_that_refers_to_them(
    team: Team, flow: Flow, settings: Settings, clock: JobClock
) -> None:
    # GIVEN a creator with all five platforms connected, each synced (history), with past readings,
    # alerts and media, plus an unfinished connect and a password reset
    admin = team.create_workspace()
    creator = team.invite(admin, "creator")
    connections = connect_everywhere(flow, creator)
    assert clock.drain() == len(FIVE_PLATFORMS)  # each connection's backfill
    for connection in connections:
        seed_history(settings, creator, connection)
    flow.start(creator, "youtube")  # an OAuth state, never finished
    team.post("/api/auth/password-reset", {"email": creator.email})
    identifying = identifiers_of(flow, creator, connections)
    before = everything_stored(settings)
    unseen = {
        what
        for what, value in identifying.items()
        if not any(mentions(text, value) for texts in before.values() for text in texts)
    }
    assert unseen == NEVER_STORED  # so every other identifier was there to be found

    # WHEN they ask for their account to be deleted, and the worker runs
    response = team.post("/api/privacy/deletions", {"scope": "account"}, creator.headers)
    assert response.status_code == 202, response.body
    code = json.loads(response.body)["confirmation_code"]
    assert run_privacy_worker(settings) == 1

    # THEN no table or bucket refers to them, except the audit log's bare ids (kept a year for security)
    bare_ids = {"member id", *(f"{platform} connection id" for platform, _, _ in FIVE_PLATFORMS)}
    after = everything_stored(settings)
    residue = [
        f"{what} left in {where}: {text[:300]}"
        for where, texts in after.items()
        for text in texts
        for what, value in identifying.items()
        if mentions(text, value) and not (where == "audit" and what in bare_ids)
    ]
    assert residue == []
    for text in after["audit"]:
        entry = json.loads(text)
        for what in bare_ids:
            value = identifying[what]
            holders = {name for name, attribute in entry.items() if value in json.dumps(attribute)}
            assert holders <= {"actor_id", "target", "gsi1pk", "gsi1sk"}, (what, entry)
    # AND the revokes reached every platform that has a revoke endpoint (Threads has none), Meta's
    # once for the person's Page and Instagram account, which share one grant
    revocations = flow.browser.get("http://simulator.local/_sim/revocations").json()["revocations"]
    assert sorted((r["platform"], r["user_id"]) for r in revocations) == sorted(
        {
            ("tiktok", identifying["tiktok login id"]),
            ("meta", identifying["facebook login id"]),
            ("google", identifying["youtube login id"]),
        }
    )
    # AND the creator can no longer sign in, the status says completed
    assert (
        team.post("/api/auth/sign-in", {"email": creator.email, "password": creator.password}).status_code
        == 401
    )
    status = json.loads(team.http.get(f"/api/privacy/deletions/{code}").body)
    assert status["status"] == "completed"

    # AND running the deletion again is harmless
    record = everything_stored(settings)
    assert bootstrap.services().privacy_worker.delete(code) is None
    boto3.client("sqs", region_name=settings.aws_region).send_message(
        QueueUrl=settings.privacy_queue_url, MessageBody=json.dumps({"kind": "deletion", "code": code})
    )
    assert run_privacy_worker(settings) == 1
    assert everything_stored(settings) == record


def test_creator_data_deletion_keeps_the_account_and_the_other_members_data(
    team: Team, flow: Flow, settings: Settings
) -> None:
    admin = team.create_workspace()
    creator = team.invite(admin, "creator")
    mine = connect(flow, creator, "tiktok", "maya@example.test")
    theirs = connect(flow, admin, "youtube", "ana@example.test")

    response = team.post("/api/privacy/deletions", {"scope": "creator_data"}, creator.headers)
    assert response.status_code == 202
    run_privacy_worker(settings)

    assert stored_connection(creator.workspace_id, mine["id"]) is None
    assert stored_connection(admin.workspace_id, theirs["id"]) is not None
    assert team.http.get("/api/me", headers=creator.headers).status_code == 200


def test_an_admin_acts_for_a_member_and_nobody_else_may(team: Team, flow: Flow, settings: Settings) -> None:
    admin = team.create_workspace()
    creator = team.invite(admin, "creator")
    manager = team.invite(admin, "manager")
    connect(flow, creator, "tiktok", "maya@example.test")

    refused = team.post(
        "/api/privacy/deletions", {"scope": "creator_data", "member_id": creator.member_id}, manager.headers
    )
    elsewhere = team.create_workspace("B")
    unknown = team.post(
        "/api/privacy/deletions", {"scope": "account", "member_id": creator.member_id}, elsewhere.headers
    )
    accepted = team.post(
        "/api/privacy/deletions", {"scope": "account", "member_id": creator.member_id}, admin.headers
    )

    assert refused.status_code == 403
    assert unknown.status_code == 404
    assert accepted.status_code == 202
    run_privacy_worker(settings)
    assert (
        team.post("/api/auth/sign-in", {"email": creator.email, "password": creator.password}).status_code
        == 401
    )


def test_the_last_admin_cannot_delete_their_account(team: Team) -> None:
    admin = team.create_workspace()

    response = team.post("/api/privacy/deletions", {"scope": "account"}, admin.headers)

    assert response.status_code == 409
    assert json.loads(response.body)["error"]["code"] == "last_admin"


def test_an_unknown_or_malformed_code_is_404(team: Team) -> None:
    assert team.http.get("/api/privacy/deletions/NOPE").status_code == 404
    assert team.http.get("/api/privacy/deletions/" + "A" * 32).status_code == 404


def test_the_sweep_reports_the_oldest_open_request_and_hands_it_to_the_worker(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(UTC)
    stuck = DeletionRequest(
        code="C" * 32,
        source=DeletionSource.CREATOR,
        status=DeletionStatus.PENDING,
        requested_at=now - timedelta(hours=26),
        due_at=now - timedelta(hours=26),
    )
    PrivacyRepository().create_deletion(stuck)
    import app

    capsys.readouterr()
    summary = app.retention_sweep(load_event("scheduled_event.json"), SWEEP)

    assert summary["sent"] == 1
    assert summary["oldest_open_hours"] >= 26
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line]
    [record] = [r for r in emitted if "OldestOpenDeletionRequestAgeHours" in r]
    assert record["service"] == "creatordeck"
    assert record["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["service"]]
    assert max(_listed(record["OldestOpenDeletionRequestAgeHours"])) >= 26
    assert run_privacy_worker(settings) == 1
    capsys.readouterr()
    assert app.retention_sweep(load_event("scheduled_event.json"), SWEEP)["oldest_open_hours"] == 0


def _listed(value: Any) -> list[float]:
    return [float(v) for v in value] if isinstance(value, list) else [float(value)]
