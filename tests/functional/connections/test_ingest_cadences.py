"""Cadences per kind of data, and alerts, through the real ingest worker (the app's SQS handler).

Time passing is written into the connection itself (when each part last ran), since the app reads the
wall clock; the platforms are the simulator, whose requests the recorder counts.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

import app as app_module
from chalicelib.domain.sync_cadence import Cadences, SyncTimes
from chalicelib.services.ingest_dispatch import IngestDispatcher
from chalicelib.settings import Settings
from chalicelib.storage.accounts import AccountsRepository
from chalicelib.storage.connections import ConnectionsRepository
from chalicelib.storage.metrics import SnapshotRepository
from chalicelib.storage.queues import SqsIngestQueue
from chalicelib.storage.sync_schedule import SyncSchedule
from devstack.clock import JobClock
from simulator import Knobs, SimConfig, Simulator
from tests.functional.connections.conftest import Flow, Recorder
from tests.functional.team import Persona, Team

PYNAMO_TIME = "%Y-%m-%dT%H:%M:%S.%f+0000"


@pytest.fixture
def sim() -> Simulator:
    """The seeded world as of now (the app reads the wall clock), so the newest posts are days old."""
    return Simulator(SimConfig(start_time=time.time()), knobs=Knobs(auto_approve=True))


@pytest.fixture
def clock(wired: Settings) -> JobClock:
    return JobClock(app_module, boto3.client("sqs", region_name=wired.aws_region), wired.table_prefix)


def connect_tiktok(team: Team, flow: Flow) -> tuple[Persona, dict[str, Any]]:
    admin = team.create_workspace()
    page = flow.connect(admin, "tiktok")
    assert page.status_code == 200, page.body
    [connection] = flow.connections(admin)
    return admin, connection


def connection_item(wired: Settings, admin: Persona, connection_id: str) -> dict[str, Any]:
    item: dict[str, Any] = boto3.client("dynamodb", region_name=wired.aws_region).get_item(
        TableName=wired.table_name("connections"),
        Key={"pk": {"S": f"WORKSPACE#{admin.workspace_id}"}, "sk": {"S": f"CONNECTION#{connection_id}"}},
        ConsistentRead=True,
    )["Item"]
    return item


def pass_time(wired: Settings, admin: Persona, connection_id: str, **ago: timedelta) -> None:
    """As if each named part (``profile_synced_at``, ...) last ran that long ago; the sync is due now."""
    now = datetime.now(UTC)
    names = {f"#{name}": name for name in ago}
    values = {f":{name}": {"S": (now - delta).strftime(PYNAMO_TIME)} for name, delta in ago.items()}
    boto3.client("dynamodb", region_name=wired.aws_region).update_item(
        TableName=wired.table_name("connections"),
        Key={"pk": {"S": f"WORKSPACE#{admin.workspace_id}"}, "sk": {"S": f"CONNECTION#{connection_id}"}},
        UpdateExpression="SET next_sync_at = :due, " + ", ".join(f"#{n} = :{n}" for n in ago),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues={**values, ":due": {"N": str(int(time.time()) - 60)}},
    )


def dispatch(wired: Settings) -> dict[str, int]:
    queue = SqsIngestQueue(boto3.client("sqs", region_name=wired.aws_region), wired.ingest_queue_url)
    return IngestDispatcher(SyncSchedule(), queue, lambda: datetime.now(UTC)).run()


def paths(recorder: Recorder, since: int) -> list[str]:
    return [request.url.path for request in recorder.requests[since:]]


def test_a_sync_between_cadences_fetches_only_the_recent_posts_counters(
    team: Team, flow: Flow, clock: JobClock, wired: Settings, recorder: Recorder
) -> None:
    admin, connection = connect_tiktok(team, flow)
    clock.drain()  # the backfill
    profiles_before = SnapshotRepository().profile_series(connection["id"], datetime(2020, 1, 1).date())
    pass_time(wired, admin, connection["id"], counters_synced_at=timedelta(hours=3))
    before = len(recorder.requests)

    assert dispatch(wired) == {"queued": 1, "failed": 0}
    assert clock.drain() == 1

    assert set(paths(recorder, before)) == {"/v2/video/query/"}
    profiles = SnapshotRepository().profile_series(connection["id"], datetime(2020, 1, 1).date())
    assert profiles == profiles_before


def test_a_sync_at_the_profile_cadence_fetches_the_profile_and_new_posts_too(
    team: Team, flow: Flow, clock: JobClock, wired: Settings, recorder: Recorder
) -> None:
    admin, connection = connect_tiktok(team, flow)
    clock.drain()
    pass_time(
        wired,
        admin,
        connection["id"],
        profile_synced_at=timedelta(hours=7),
        counters_synced_at=timedelta(hours=7),
    )
    before = len(recorder.requests)

    dispatch(wired)
    assert clock.drain() == 1

    assert set(paths(recorder, before)) == {"/v2/user/info/", "/v2/video/list/", "/v2/video/query/"}


def test_a_sync_moves_the_next_one_to_the_earliest_due_part_plus_its_jitter(
    team: Team, flow: Flow, clock: JobClock, wired: Settings
) -> None:
    admin, connection = connect_tiktok(team, flow)
    clock.drain()

    item = connection_item(wired, admin, connection["id"])
    stored = ConnectionsRepository().get_connection(admin.workspace_id, connection["id"])
    assert stored is not None
    synced = stored[0]
    assert synced.last_sync_at is not None
    times = SyncTimes(synced.profile_synced_at, synced.counters_synced_at, synced.demographics_at)
    assert times == SyncTimes(synced.last_sync_at, synced.last_sync_at, synced.last_sync_at)  # a backfill
    expected = Cadences().next_sync_at(times, synced.last_sync_at, connection["id"])
    assert int(item["next_sync_at"]["N"]) == int(expected.timestamp())
    # the counters are due in 2 h, unless the day's demographics hour (04:00 UTC) comes first
    counters_due = synced.last_sync_at + timedelta(hours=2)
    demographics_hour = synced.last_sync_at.replace(hour=4, minute=0, second=0, microsecond=0)
    if demographics_hour <= synced.last_sync_at:
        demographics_hour += timedelta(days=1)
    earliest = min(counters_due, demographics_hour)
    assert earliest <= expected <= earliest + (earliest - synced.last_sync_at) * 0.1 + timedelta(seconds=1)


def test_a_message_that_comes_before_anything_is_due_fetches_nothing(
    team: Team, flow: Flow, clock: JobClock, wired: Settings, recorder: Recorder
) -> None:
    admin, connection = connect_tiktok(team, flow)
    clock.drain()
    queue = SqsIngestQueue(boto3.client("sqs", region_name=wired.aws_region), wired.ingest_queue_url)
    before = len(recorder.requests)
    synced = flow.connections(admin)[0]["last_sync_at"]

    queue.send_batch([{"workspace_id": admin.workspace_id, "connection_id": connection["id"]}])
    assert clock.drain() == 1

    assert paths(recorder, before) == []
    assert clock.history[-1].ok
    assert flow.connections(admin)[0]["last_sync_at"] == synced


def test_a_viral_post_raises_one_alert_for_that_post_through_the_worker(
    team: Team, flow: Flow, clock: JobClock, wired: Settings
) -> None:
    # GIVEN a creator whose history is stored (the first backfill has no baseline to judge by)
    admin, connection = connect_tiktok(team, flow)
    clock.drain()
    assert not [a for a in ConnectionsRepository().list_alerts(admin.workspace_id) if a.kind == "viral_post"]
    truth = next(
        account
        for login in flow.browser.get("http://simulator.local/_sim/creators").json()["logins"]
        for account in login["accounts"]
        if account["handle"] == connection["account_name"]
    )
    [viral] = [post["id"] for post in truth["posts"] if post["viral"]]

    # WHEN they reconnect, and the worker backfills them again, twice (a redelivery)
    assert flow.connect(admin, "tiktok").status_code == 200
    sqs = boto3.client("sqs", region_name=wired.aws_region)
    body = json.dumps(
        {"workspace_id": admin.workspace_id, "connection_id": connection["id"], "kind": "backfill"}
    )
    sqs.send_message(QueueUrl=wired.ingest_queue_url, MessageBody=body)
    assert clock.drain() == 2

    # THEN one viral_post alert names exactly the post far above their own baseline at its age
    alerts = [a for a in ConnectionsRepository().list_alerts(admin.workspace_id) if a.kind == "viral_post"]
    assert [(a.connection_id, a.post_id) for a in alerts] == [(connection["id"], viral)]
    assert alerts[0].views_multiple is not None
    assert alerts[0].views_multiple > 3


def test_snapshots_and_posts_expire_after_the_workspaces_retention(
    team: Team, flow: Flow, clock: JobClock, wired: Settings
) -> None:
    admin, connection = connect_tiktok(team, flow)
    AccountsRepository().update_workspace(admin.workspace_id, retention_days=90)

    clock.drain()

    dynamodb = boto3.client("dynamodb", region_name=wired.aws_region)
    metrics = dynamodb.query(
        TableName=wired.table_name("metrics"),
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"SERIES#{connection['id']}#PROFILE"}},
    )["Items"]
    posts = dynamodb.query(
        TableName=wired.table_name("posts"),
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"CONNECTION#{connection['id']}"}},
    )["Items"]
    assert metrics
    assert posts
    for item in [*metrics, *posts]:
        stamp = item["taken_at"]["S"] if "taken_at" in item else item["seen_at"]["S"]
        written = datetime.strptime(stamp, PYNAMO_TIME).replace(tzinfo=UTC)
        assert int(item["expires_at"]["N"]) == int((written + timedelta(days=90)).timestamp())
