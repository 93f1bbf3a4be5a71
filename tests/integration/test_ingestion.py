"""The ingest loop over real HTTP for each platform: connect -> backfill through the queue ->
schedule -> dispatch -> queue -> worker -> snapshots -> alerts, on the moto server and the simulator."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import httpx
import pytest

from devstack.stack import HOST, LocalStack
from tests.integration.conftest import browser_cookie
from tests.integration.test_connections import PLATFORMS, connections


@pytest.fixture(scope="module")
def admin(stack: LocalStack) -> Iterator[httpx.Client]:
    assert stack.seeded is not None
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        signed_in = client.post(
            "/api/auth/sign-in",
            json={"email": stack.seeded.email, "password": stack.seeded.password.reveal()},
        )
        signed_in.raise_for_status()
        client.headers["Authorization"] = f"Bearer {signed_in.json()['access_token']}"
        yield client


@pytest.fixture(scope="module")
def dynamodb(stack: LocalStack) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=stack.aws_endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def wait_for(condition: Callable[[], Any], seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("condition not met in time")


def items(dynamodb: Any, stack: LocalStack, table: str, prefix: str) -> list[dict[str, Any]]:
    name = f"{stack.environment['CREATORDECK_TABLE_PREFIX']}-{table}"
    found: list[dict[str, Any]] = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=name):
        found += [item for item in page["Items"] if item["pk"]["S"].startswith(prefix)]
    return found


def connect(
    stack: LocalStack, admin: httpx.Client, platform: str, user: str, knobs: dict[str, Any]
) -> dict[str, Any]:
    sim = f"http://{HOST}:{stack.ports.simulator}"
    httpx.post(f"{sim}/_sim/knobs", json={"auto_approve": True, "next_user": user} | knobs).raise_for_status()
    known = {c["id"] for c in connections(admin)}
    started = admin.post(f"/api/oauth/{platform}/start")
    consent = httpx.get(started.json()["authorization_url"], follow_redirects=False)
    callback = httpx.get(
        consent.headers["location"], headers=browser_cookie(started), follow_redirects=False, timeout=30
    )
    assert callback.status_code == 200, callback.text
    if "data-pending='" in callback.text:
        pending_id = callback.text.split("data-pending='", 1)[1].split("'", 1)[0]
        choice = admin.get(f"/api/connections/pending/{pending_id}").json()
        admin.post(
            f"/api/connections/pending/{pending_id}", json={"account_ids": [choice["accounts"][0]["id"]]}
        )
    [connection] = [c for c in connections(admin) if c["platform"] == platform and c["id"] not in known]
    return connection


@pytest.mark.parametrize(("platform", "sim_app", "user", "knobs"), PLATFORMS, ids=[p[0] for p in PLATFORMS])
def test_the_whole_ingest_loop_over_http(
    stack: LocalStack,
    admin: httpx.Client,
    dynamodb: Any,
    platform: str,
    sim_app: str,
    user: str,
    knobs: dict[str, Any],
) -> None:
    # GIVEN a freshly connected account, whose backfill the job clock takes from the queue at once
    connection = connect(stack, admin, platform, user, knobs)
    table = f"{stack.environment['CREATORDECK_TABLE_PREFIX']}-connections"
    key = {
        "pk": {"S": f"WORKSPACE#{stack.seeded.workspace_id if stack.seeded else ''}"},
        "sk": {"S": f"CONNECTION#{connection['id']}"},
    }
    first = wait_for(
        lambda: next((c["last_sync_at"] for c in connections(admin) if c["id"] == connection["id"]), None)
    )
    profile = items(dynamodb, stack, "metrics", f"SERIES#{connection['id']}#PROFILE")
    assert len(profile) == 1
    assert items(dynamodb, stack, "posts", f"CONNECTION#{connection['id']}")

    # AND yesterday it had half its followers
    followers = profile[0].get("followers", {}).get("N")
    if followers is not None:
        yesterday = datetime.now(UTC) - timedelta(days=1)
        dynamodb.put_item(
            TableName=f"{stack.environment['CREATORDECK_TABLE_PREFIX']}-metrics",
            Item={
                "pk": {"S": f"SERIES#{connection['id']}#PROFILE"},
                "sk": {"S": yesterday.strftime("%Y-%m-%d")},
                "taken_at": {"S": yesterday.strftime("%Y-%m-%dT%H:%M:%S.%f+0000")},
                "followers": {"N": str(int(followers) // 2)},
            },
        )

    # WHEN its next sync is due (the profile's cadence has passed) and the dispatch schedule runs
    long_ago = (datetime.now(UTC) - timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")
    dynamodb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression=(
            "SET next_sync_at = :past, profile_synced_at = :long_ago, counters_synced_at = :long_ago"
        ),
        ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 60)}, ":long_ago": {"S": long_ago}},
    )
    run = httpx.post(f"http://{HOST}:{stack.ports.clock}/jobs/ingest-dispatch", timeout=60)

    # THEN the worker synced it again, and a follower spike became an alert
    assert run.status_code == 200, run.text
    assert run.json()["run"]["ok"], run.text
    wait_for(
        lambda: (
            next((c["last_sync_at"] for c in connections(admin) if c["id"] == connection["id"]), "") > first
        )
    )
    if followers is not None and int(followers) >= 200:
        alerts = items(dynamodb, stack, "connections", "WORKSPACE#")
        kinds = [
            a["kind"]["S"]
            for a in alerts
            if a["sk"]["S"].startswith("ALERT#") and a.get("connection_id", {}).get("S") == connection["id"]
        ]
        assert kinds == ["follower_spike"]
    assert admin.delete(f"/api/connections/{connection['id']}").status_code == 204
