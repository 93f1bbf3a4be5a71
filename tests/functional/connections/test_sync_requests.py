"""What a sync costs DynamoDB: its batch's connections and workspaces in one read, its items in
batches of 25 (rollup included), and one UpdateItem that records the sync with its summary."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import boto3
import httpx
import pytest
from botocore.awsrequest import AWSResponse

import app as app_module
from chalicelib import bootstrap
from chalicelib.settings import Settings
from chalicelib.storage.account_rollups import AccountRollups
from chalicelib.storage.accounts import AccountsRepository
from chalicelib.storage.connections import ConnectionsRepository
from chalicelib.storage.models import AccountsTable
from chalicelib.storage.personal_data import PersonalData
from chalicelib.storage.sync_reads import MAX_ATTEMPTS, SyncReads
from chalicelib.storage.sync_writes import MAX_ITEMS
from devstack.clock import JobClock
from simulator import Simulator
from tests.functional.connections.conftest import Flow, Recorder
from tests.functional.connections.test_ingestion import connect, items_in
from tests.functional.team import Team
from tests.functional.test_team import count_dynamodb_calls


@pytest.fixture
def clock(wired: Settings) -> JobClock:
    return JobClock(app_module, boto3.client("sqs", region_name=wired.aws_region), wired.table_prefix)


def test_a_backfill_reads_its_batch_at_once_and_records_itself_in_one_update(
    team: Team, flow: Flow, clock: JobClock, wired: Settings
) -> None:
    # GIVEN two connections, in two workspaces, whose backfills are queued
    first_admin, first = connect(team, flow, "tiktok")
    flow.knobs(next_user="ana@example.test")
    second_admin, second = connect(team, flow, "youtube")
    calls = count_dynamodb_calls()

    # WHEN the worker takes them in one batch
    assert clock.drain() == 2
    assert len(clock.history) == 1

    # THEN one read fetched both connections and workspaces, each sync put its items 25 to a request,
    # its rollup among them, and recorded itself, its summary and its rollup in one UpdateItem
    counted = Counter(calls)
    assert counted["BatchGetItem"] == 1
    assert counted["GetItem"] == 0
    assert counted["UpdateItem"] == 2
    assert counted["PutItem"] == 0
    stored = len(items_in(wired, "metrics")) + len(items_in(wired, "posts"))
    assert counted["BatchWriteItem"] <= stored // MAX_ITEMS + 2
    store = ConnectionsRepository()
    for admin, connection in ((first_admin, first), (second_admin, second)):
        loaded = store.get_connection(admin.workspace_id, connection["id"])
        assert loaded is not None
        assert loaded[0].last_sync_at is not None
        assert loaded[0].stats is not None
        assert AccountRollups().get(connection["id"]) is not None


def test_the_batch_read_answers_as_the_single_reads_do(team: Team, flow: Flow) -> None:
    admin, connection = connect(team, flow, "tiktok")
    workspace_id = admin.workspace_id
    keys = [(workspace_id, connection["id"]), (workspace_id, "gone"), ("no-such-workspace", "gone-too")]

    items = SyncReads().read(keys)

    assert items.connections[keys[0]] == ConnectionsRepository().get_connection(*keys[0])
    assert items.connections[keys[1]] is None
    assert items.connections[keys[2]] is None
    assert items.workspaces[workspace_id] == AccountsRepository().get_workspace(workspace_id)
    assert items.workspaces[workspace_id] is not None
    assert items.workspaces["no-such-workspace"] is None


def test_a_connection_deleted_while_its_sync_runs_is_not_recreated_and_keeps_no_rollup(
    team: Team, flow: Flow, clock: JobClock, wired: Settings, sim: Simulator, recorder: Recorder
) -> None:
    admin, connection = connect(team, flow, "tiktok")
    deleted: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        # The platform answers the counters only after the connection has been deleted meanwhile.
        request.read()
        if request.url.path.endswith("/video/query/") and not deleted:
            PersonalData().purge_connection(admin.workspace_id, connection["id"])
            deleted.append(connection["id"])
        return sim.handle(request)

    bootstrap.reset(platform_transport=httpx.MockTransport(handle), platform_sleep=recorder.sleep)

    assert clock.drain() == 1

    assert deleted
    assert ConnectionsRepository().get_connection(admin.workspace_id, connection["id"]) is None
    assert AccountRollups().get(connection["id"]) is None


def test_a_throttled_batch_read_leaves_each_sync_to_read_its_own_items(
    team: Team, flow: Flow, clock: JobClock, wired: Settings
) -> None:
    # GIVEN two queued backfills, and DynamoDB leaving every key of a BatchGetItem unprocessed
    # (its answer when the tables are throttled)
    first_admin, first = connect(team, flow, "tiktok")
    flow.knobs(next_user="ana@example.test")
    second_admin, second = connect(team, flow, "youtube")
    client = AccountsTable._get_connection().connection.client
    throttled: list[int] = []

    def unprocessed(model: Any, params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]] | None:
        if model.name != "BatchGetItem":
            return None
        throttled.append(1)
        return AWSResponse("https://dynamodb", 200, {}, None), {
            "Responses": {},
            "UnprocessedKeys": json.loads(params["body"])["RequestItems"],  # the request, as sent
            "ResponseMetadata": {"HTTPStatusCode": 200, "HTTPHeaders": {}, "RetryAttempts": 0},
        }

    client.meta.events.register_first("before-call.dynamodb.BatchGetItem", unprocessed)
    calls = count_dynamodb_calls()
    try:
        # WHEN the worker takes both in one batch
        assert clock.drain() == 2
    finally:
        client.meta.events.unregister("before-call.dynamodb.BatchGetItem", unprocessed)

    # THEN the read ahead was tried a few times, then each sync read its own connection and ran
    assert len(throttled) == MAX_ATTEMPTS
    assert Counter(calls)["GetItem"] >= 2
    store = ConnectionsRepository()
    for admin, connection in ((first_admin, first), (second_admin, second)):
        loaded = store.get_connection(admin.workspace_id, connection["id"])
        assert loaded is not None
        assert loaded[0].last_sync_at is not None
