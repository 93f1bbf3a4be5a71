"""The ingest loop in-process: connect -> queue -> worker (the app's own handler) -> snapshots -> alerts.

The worker runs through the local job clock, which hands SQS batches to ``app.ingest_worker`` exactly
as an event source mapping would; the platforms are the simulator through ``httpx.MockTransport``.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

import app as app_module
from chalicelib.domain.platforms import Platform, Profile
from chalicelib.domain.snapshots import ProfileSnapshot
from chalicelib.services.ingest_dispatch import IngestDispatcher
from chalicelib.settings import Settings
from chalicelib.storage.metrics import SnapshotRepository
from chalicelib.storage.posts import PostRepository
from chalicelib.storage.queues import SqsIngestQueue
from chalicelib.storage.sync_schedule import SyncSchedule
from devstack.clock import JobClock
from tests.functional.connections.conftest import Flow
from tests.functional.team import Team


@pytest.fixture
def clock(wired: Settings) -> JobClock:
    return JobClock(app_module, boto3.client("sqs", region_name=wired.aws_region), wired.table_prefix)


def truth_of(flow: Flow, handle: str) -> dict[str, Any]:
    creators = flow.browser.get("http://simulator.local/_sim/creators").json()
    return next(a for login in creators["logins"] for a in login["accounts"] if a["handle"] == handle)


def items_in(aws: Settings, table: str) -> list[dict[str, Any]]:
    dynamodb = boto3.client("dynamodb", region_name=aws.aws_region)
    items: list[dict[str, Any]] = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=aws.table_name(table)):
        items += page["Items"]
    return items


def connect(team: Team, flow: Flow, platform: str) -> tuple[Any, dict[str, Any]]:
    admin = team.create_workspace()
    page = flow.connect(admin, platform)
    assert page.status_code == 200, page.body
    [connection] = flow.connections(admin)
    return admin, connection


@pytest.mark.parametrize("platform", ["tiktok", "youtube", "threads"])
def test_first_sync_backfills_profile_posts_and_counters_to_the_platforms_truth(
    team: Team, flow: Flow, clock: JobClock, wired: Settings, platform: str
) -> None:
    admin, connection = connect(team, flow, platform)

    assert clock.drain() == 1  # the backfill queued by the connect flow

    truth = truth_of(flow, connection["account_name"]) if platform == "tiktok" else None
    series = SnapshotRepository().profile_series(
        connection["id"], datetime(2020, 1, 1).date(), datetime.now(UTC).date()
    )
    assert len(series) == 1
    posts = PostRepository().recent(connection["id"])
    assert posts
    if truth is not None:
        assert series[0].profile.followers == truth["followers"]
        assert {p.post.id for p in posts} == {p["id"] for p in truth["posts"]}
        views = {p.post.id: p.metrics.views for p in posts}
        assert views == {p["id"]: p["views"] for p in truth["posts"]}
    listed = flow.connections(admin)[0]
    assert listed["last_sync_at"] is not None


def test_a_redelivered_message_writes_nothing_new(
    team: Team, flow: Flow, clock: JobClock, wired: Settings
) -> None:
    admin, connection = connect(team, flow, "tiktok")
    clock.drain()
    before = {table: len(items_in(wired, table)) for table in ("metrics", "posts")}

    queue = SqsIngestQueue(boto3.client("sqs", region_name=wired.aws_region), wired.ingest_queue_url)
    queue.send_batch(
        [{"workspace_id": admin.workspace_id, "connection_id": connection["id"], "kind": "backfill"}] * 2
    )
    assert clock.drain() == 2

    assert {table: len(items_in(wired, table)) for table in ("metrics", "posts")} == before


def storage_threads() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if thread.name.startswith("ingest-storage")}


def test_the_storage_threads_of_one_batch_serve_the_next(
    team: Team, flow: Flow, clock: JobClock, wired: Settings
) -> None:
    # GIVEN a batch synced (starting a thread stalls the event loop: a warm container keeps them)
    admin, connection = connect(team, flow, "tiktok")
    assert clock.drain() == 1
    first = storage_threads()
    assert first

    # WHEN the next batch syncs
    queue = SqsIngestQueue(boto3.client("sqs", region_name=wired.aws_region), wired.ingest_queue_url)
    queue.send_batch(
        [{"workspace_id": admin.workspace_id, "connection_id": connection["id"], "kind": "backfill"}]
    )
    assert clock.drain() == 1

    # THEN the first batch's threads served it and are still there for the one after
    assert clock.history[-1].ok
    assert not clock.history[-1].failed_message_ids
    assert all(thread.is_alive() for thread in first)


def test_dispatch_finds_due_connections_through_the_index_and_queues_them_once(
    team: Team, flow: Flow, clock: JobClock, wired: Settings
) -> None:
    _, _connection = connect(team, flow, "youtube")
    clock.drain()
    later = datetime.now(UTC) + timedelta(hours=7)  # past the connection's next sync time
    queue = SqsIngestQueue(boto3.client("sqs", region_name=wired.aws_region), wired.ingest_queue_url)
    dispatcher = IngestDispatcher(SyncSchedule(), queue, lambda: later)

    assert dispatcher.run() == {"queued": 1, "failed": 0}
    assert dispatcher.run() == {"queued": 0, "failed": 0}  # claimed: not queued twice
    assert clock.drain() == 1


def test_a_follower_spike_raises_one_alert_however_often_the_sync_runs(
    team: Team, flow: Flow, clock: JobClock, wired: Settings
) -> None:
    admin, connection = connect(team, flow, "tiktok")
    truth = truth_of(flow, connection["account_name"])
    clock.drain()  # the backfill
    yesterday = datetime.now(UTC) - timedelta(days=1)
    half = Profile(Platform.TIKTOK, "x", None, None, followers=truth["followers"] // 2)
    SnapshotRepository().write([ProfileSnapshot(connection["id"], yesterday, half)], timedelta(days=30))
    # The profile is due again (its cadence has passed), and the sync message comes twice.
    boto3.client("dynamodb", region_name=wired.aws_region).update_item(
        TableName=wired.table_name("connections"),
        Key={"pk": {"S": f"WORKSPACE#{admin.workspace_id}"}, "sk": {"S": f"CONNECTION#{connection['id']}"}},
        UpdateExpression="SET profile_synced_at = :long_ago",
        ExpressionAttributeValues={":long_ago": {"S": "2020-01-01T00:00:00.000000+0000"}},
    )

    queue = SqsIngestQueue(boto3.client("sqs", region_name=wired.aws_region), wired.ingest_queue_url)
    queue.send_batch([{"workspace_id": admin.workspace_id, "connection_id": connection["id"]}] * 2)
    clock.drain()

    alerts = [item for item in items_in(wired, "connections") if item["sk"]["S"].startswith("ALERT#")]
    assert [a["kind"]["S"] for a in alerts] == ["follower_spike"]


def test_a_poison_message_does_not_block_its_batch(
    team: Team, flow: Flow, clock: JobClock, wired: Settings
) -> None:
    _admin, connection = connect(team, flow, "tiktok")
    sqs = boto3.client("sqs", region_name=wired.aws_region)
    sqs.send_message(QueueUrl=wired.ingest_queue_url, MessageBody="not json at all")

    assert clock.drain() == 2

    assert PostRepository().recent(connection["id"])
    assert clock.history[-1].ok


def test_a_revoked_token_marks_the_connection_and_is_not_retried(
    team: Team, flow: Flow, clock: JobClock, wired: Settings
) -> None:
    admin, connection = connect(team, flow, "tiktok")
    revoked = flow.browser.post(
        "http://simulator.local/_sim/revoke", json={"platform": "tiktok", "user_id": connection["account_id"]}
    )
    assert revoked.status_code == 200, revoked.text

    clock.drain()

    assert flow.connections(admin)[0]["needs_reauth"] is True
    assert clock.drain() == 0  # nothing left to retry
    assert (
        json.loads(team.http.get("/api/connections", headers=admin.headers).body)["items"][0]["status"]
        == "needs_reauth"
    )


def test_bursts_of_429_5xx_and_timeouts_lose_and_duplicate_nothing(
    team: Team, flow: Flow, clock: JobClock, wired: Settings
) -> None:
    _, connection = connect(team, flow, "tiktok")
    truth = truth_of(flow, connection["account_name"])
    # More faults in a row than one invocation retries: the delivery fails and SQS brings it back.
    flow.knobs(
        throttle_next=3, server_error_next=3, timeout_next=2, timeout_mode="close", retry_after_seconds=2
    )
    sqs = boto3.client("sqs", region_name=wired.aws_region)
    sqs.set_queue_attributes(QueueUrl=wired.ingest_queue_url, Attributes={"VisibilityTimeout": "0"})

    assert clock.drain() >= 2
    assert not clock.history[0].ok  # the first delivery gave up
    assert clock.history[-1].ok

    metrics = items_in(wired, "metrics")
    post_series = [i for i in metrics if "#POST#" in i["pk"]["S"]]
    assert len(post_series) == len(truth["posts"])  # one reading per post: none lost, none twice
    assert len([i for i in metrics if i["pk"]["S"].endswith("#PROFILE")]) == 1
    assert {p.post.id for p in PostRepository().recent(connection["id"])} == {p["id"] for p in truth["posts"]}


def test_a_token_revoked_mid_batch_fails_only_its_own_connection(
    team: Team, flow: Flow, clock: JobClock, wired: Settings
) -> None:
    admin = team.create_workspace()
    flow.knobs(next_user="maya@example.test")
    flow.connect(admin, "tiktok")
    flow.knobs(next_user="ana@example.test")
    flow.connect(admin, "youtube")
    tiktok, youtube = sorted(flow.connections(admin), key=lambda c: c["platform"] != "tiktok")
    revoked = flow.browser.post(
        "http://simulator.local/_sim/revoke", json={"platform": "tiktok", "user_id": tiktok["account_id"]}
    )
    assert revoked.status_code == 200, revoked.text

    assert clock.drain() == 2

    by_id = {c["id"]: c for c in flow.connections(admin)}
    assert by_id[tiktok["id"]]["needs_reauth"] is True
    assert by_id[youtube["id"]]["last_sync_at"] is not None
    assert PostRepository().recent(youtube["id"])
    assert not PostRepository().recent(tiktok["id"])
