"""Account detail from the rollup the ingest worker keeps: the same answer as from the series and the
posts, in two reads whatever the range; built once from the series, then kept up sync by sync."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

import app as app_module
from chalicelib.bootstrap import services
from chalicelib.domain.account_rollup import roll_up
from chalicelib.domain.dashboard import RANGES
from chalicelib.domain.platforms import Platform, Profile
from chalicelib.domain.snapshots import ProfileSnapshot, SnapshotKind
from chalicelib.settings import Settings
from chalicelib.storage.account_rollup_writes import WorkerRollups
from chalicelib.storage.account_rollups import ROLLUP_SK, AccountRollups, rollup_key
from chalicelib.storage.metrics import SnapshotRepository, series_key
from chalicelib.storage.personal_data import PersonalData
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
from tests.functional.dashboard import seed
from tests.functional.dashboard.conftest import Studio
from tests.functional.dashboard.test_from_sync import profile_due_again
from tests.functional.test_team import count_dynamodb_calls

AUTHENTICATION = 2


def detail(http: Any, path: str, headers: dict[str, str]) -> Any:
    response = http.get(path, headers=headers)
    assert response.status_code == 200, response.body
    return response


def test_the_rollup_answers_every_range_as_the_series_and_posts_do_in_two_reads(studio: Studio) -> None:
    # GIVEN an account with two years of daily readings, 500 posts and an open alert
    account = seed.connect(studio.admin.workspace_id, studio.creator.member_id)
    seed.profile_days(account, 731)
    stored = seed.posts(account, 500)
    seed.alert(account, "sync_failed", seed.NOW)
    http, headers = studio.team.http, studio.admin.headers
    paths = [
        f"/api/dashboard/accounts/{account.id}{suffix}"
        for name in RANGES
        for suffix in (f"?range={name}", f"?range={name}&format=csv")
    ]
    from_series = {path: detail(http, path, headers).body for path in paths}

    # WHEN the worker rolls up what it holds after a sync (the series read once, the posts it loaded)
    now = datetime.now(UTC)
    series = SnapshotRepository().profile_series(account.id, now.date() - timedelta(days=730))
    readings = [(s.taken_at.date(), s.profile.followers) for s in series if s.profile.followers is not None]
    rollup = roll_up(readings, [], [(s.post, s.metrics) for s in stored], now, seed.RETENTION)
    assert WorkerRollups().record(account, rollup, None)

    # THEN every range answers the same JSON and CSV as before, from the connection and the rollup
    for path in paths:
        assert detail(http, path, headers).body == from_series[path], path
    caller = studio.caller(studio.admin)
    calls = count_dynamodb_calls()
    services().dashboard.account(caller, account.id, "2y")
    assert calls == ["Query", "GetItem"]
    calls.clear()
    detail(http, f"/api/dashboard/accounts/{account.id}?range=2y", headers)
    assert len(calls) == 2 + AUTHENTICATION


def test_a_rollup_is_not_written_for_a_connection_deleted_meanwhile(studio: Studio) -> None:
    account = seed.connect(studio.admin.workspace_id, studio.admin.member_id)
    PersonalData().purge_connection(account.workspace_id, account.id)

    rollup = roll_up([], [(seed.NOW.date(), 5)], [], seed.NOW, seed.RETENTION)

    assert WorkerRollups().record(account, rollup, None) is False
    assert AccountRollups().get(account.id) is None


@pytest.fixture
def clock(wired: Settings) -> JobClock:  # noqa: F811
    return JobClock(app_module, boto3.client("sqs", region_name=wired.aws_region), wired.table_prefix)


def sync_again(aws: Settings, clock: JobClock, workspace_id: str, connection_id: str) -> None:
    profile_due_again(aws, workspace_id, connection_id)
    queue = SqsIngestQueue(boto3.client("sqs", region_name=aws.aws_region), aws.ingest_queue_url)
    queue.send_batch([{"workspace_id": workspace_id, "connection_id": connection_id}])
    assert clock.drain() == 1


def test_a_sync_builds_the_rollup_from_the_series_once_then_keeps_it_up(
    flow: Flow,  # noqa: F811
    clock: JobClock,
    wired: Settings,  # noqa: F811
) -> None:
    # GIVEN an account that synced before rollups existed, with 400 days of follower readings
    admin = flow.team.create_workspace()
    assert flow.connect(admin, "tiktok").status_code == 200
    [connection] = flow.connections(admin)
    cid, workspace_id = connection["id"], admin.workspace_id
    followers = truth_of(flow, connection["account_name"])["followers"]
    assert clock.drain() == 1  # the backfill
    dynamodb = boto3.client("dynamodb", region_name=wired.aws_region)
    dynamodb.delete_item(
        TableName=wired.table_name("metrics"),
        Key={"pk": {"S": rollup_key(cid)}, "sk": {"S": ROLLUP_SK}},
    )
    dynamodb.update_item(
        TableName=wired.table_name("connections"),
        Key={"pk": {"S": f"WORKSPACE#{workspace_id}"}, "sk": {"S": f"CONNECTION#{cid}"}},
        UpdateExpression="REMOVE rollup_at",
    )
    now = datetime.now(UTC)
    SnapshotRepository().write(
        [
            ProfileSnapshot(
                cid, now - timedelta(days=back), Profile(Platform.TIKTOK, "a", None, None, followers=back)
            )
            for back in range(1, 401)
        ],
        timedelta(days=730),
    )
    path = f"/api/dashboard/accounts/{cid}?range=1y"
    before = json.loads(detail(flow.team.http, path, admin.headers).body)
    assert len(before["followers"]) == 366

    # WHEN it syncs: the rollup is built from the series, with today's reading
    sync_again(wired, clock, workspace_id, cid)
    calls = count_dynamodb_calls()
    after = json.loads(detail(flow.team.http, path, admin.headers).body)

    # THEN account detail reads it in two calls, and answers the same readings
    assert len(calls) == 2 + AUTHENTICATION
    assert after["followers"] == before["followers"]
    assert after["followers"][-1]["value"] == followers
    assert after["followers"][0] == {"date": (now.date() - timedelta(days=365)).isoformat(), "value": 365}

    # AND later syncs keep it from the rollup itself, not from the older series
    profile_series = {"S": series_key(cid, SnapshotKind.PROFILE)}
    old = [
        {
            "DeleteRequest": {
                "Key": {"pk": profile_series, "sk": {"S": (now - timedelta(days=back)).date().isoformat()}}
            }
        }
        for back in range(200, 401)
    ]
    for start in range(0, len(old), 25):
        dynamodb.batch_write_item(RequestItems={wired.table_name("metrics"): old[start : start + 25]})
    sync_again(wired, clock, workspace_id, cid)
    two_years = json.loads(
        detail(flow.team.http, f"/api/dashboard/accounts/{cid}?range=2y", admin.headers).body
    )
    assert len(two_years["followers"]) == 401
    assert two_years["followers"][0]["value"] == 400
