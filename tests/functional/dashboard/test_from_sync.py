"""A real sync (connect through the simulator, the ingest worker) fills the roster summary and alerts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

import app as app_module
from chalicelib.domain.platforms import Platform, Profile
from chalicelib.domain.snapshots import ProfileSnapshot
from chalicelib.domain.summary import engagement_over
from chalicelib.settings import Settings
from chalicelib.storage.metrics import SnapshotRepository
from chalicelib.storage.posts import PostRepository
from chalicelib.storage.queues import SqsIngestQueue
from devstack.clock import JobClock
from tests.functional.connections.conftest import (  # noqa: F401 - fixtures
    Flow,
    browser,
    flow,
    recorder,
    sim,
    team,
    wired,
)
from tests.functional.connections.test_ingestion import truth_of


@pytest.fixture
def clock(wired: Settings) -> JobClock:  # noqa: F811
    return JobClock(app_module, boto3.client("sqs", region_name=wired.aws_region), wired.table_prefix)


def seeded(followers_today: int, back: int) -> int:
    """Half today's followers yesterday (a spike today), one fewer each day before."""
    return followers_today // 2 - back


def profile_due_again(aws: Settings, workspace_id: str, connection_id: str) -> None:
    """As if the profile's cadence had passed since the backfill."""
    boto3.client("dynamodb", region_name=aws.aws_region).update_item(
        TableName=aws.table_name("connections"),
        Key={"pk": {"S": f"WORKSPACE#{workspace_id}"}, "sk": {"S": f"CONNECTION#{connection_id}"}},
        UpdateExpression="SET profile_synced_at = :long_ago",
        ExpressionAttributeValues={":long_ago": {"S": "2020-01-01T00:00:00.000000+0000"}},
    )


def test_a_sync_stores_growth_and_engagement_and_raises_a_follower_spike(
    flow: Flow,  # noqa: F811
    clock: JobClock,
    wired: Settings,  # noqa: F811
) -> None:
    admin = flow.team.create_workspace()
    assert flow.connect(admin, "tiktok").status_code == 200
    [connection] = flow.connections(admin)
    followers = truth_of(flow, connection["account_name"])["followers"]
    assert clock.drain() == 1  # the backfill: no history before it
    now = datetime.now(UTC)
    SnapshotRepository().write(
        [
            ProfileSnapshot(
                connection["id"],
                now - timedelta(days=back),
                Profile(Platform.TIKTOK, "a", None, None, followers=seeded(followers, back)),
            )
            for back in range(1, 100)
        ],
        timedelta(days=730),
    )

    profile_due_again(wired, admin.workspace_id, connection["id"])
    queue = SqsIngestQueue(boto3.client("sqs", region_name=wired.aws_region), wired.ingest_queue_url)
    queue.send_batch([{"workspace_id": admin.workspace_id, "connection_id": connection["id"]}])
    assert clock.drain() == 1

    headers = admin.headers
    roster = json.loads(flow.team.http.get("/api/dashboard/roster", headers=headers).body)
    [account] = [a for group in roster["creators"] for a in group["accounts"]]
    assert account["followers"] == followers
    assert account["growth"] == {
        "7d": followers - seeded(followers, 7),
        "30d": followers - seeded(followers, 30),
        "90d": followers - seeded(followers, 90),
    }
    stored = PostRepository().recent(connection["id"])
    expected = engagement_over([(s.post.created_at, s.metrics) for s in stored], now - timedelta(days=30))
    assert account["engagement_rate"] == expected
    assert account["open_alerts"] == 1
    alerts: list[dict[str, Any]] = json.loads(flow.team.http.get("/api/alerts", headers=headers).body)[
        "items"
    ]
    [spike] = alerts
    change = (followers - seeded(followers, 1)) / seeded(followers, 1) * 100
    assert spike["kind"] == "follower_spike"
    assert spike["message"] == f"Followers grew {round(change, 1):.1f}% in a day, to {followers:,}."
    assert account["last_sync_at"] is not None
