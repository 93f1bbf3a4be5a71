"""The local job clock calls the same handlers as EventBridge and SQS would, with their event shapes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from chalicelib.settings import Settings
from devstack.clock import JobClock
from tests.functional import clock_app

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock(aws: Settings) -> Iterator[JobClock]:
    clock_app.calls.clear()
    yield JobClock(clock_app, boto3.client("sqs", region_name=aws.aws_region), aws.table_prefix)
    clock_app.calls.clear()


def send(aws: Settings, body: dict[str, Any]) -> None:
    boto3.client("sqs", region_name=aws.aws_region).send_message(
        QueueUrl=aws.ingest_queue_url, MessageBody=json.dumps(body)
    )


def test_runs_a_schedule_when_due_with_an_eventbridge_event(clock: JobClock) -> None:
    assert clock.tick(NOW) == ["sweep"]
    assert clock.tick(NOW + timedelta(minutes=1)) == []
    assert clock.tick(NOW + timedelta(minutes=5)) == ["sweep"]

    name, event = clock_app.calls[0]
    assert name == "sweep"
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["resources"][0].endswith(":rule/sweep")


def test_hands_queued_messages_to_the_handler_as_an_sqs_batch_and_deletes_them(
    clock: JobClock, aws: Settings
) -> None:
    send(aws, {"connection": "c1"})
    send(aws, {"connection": "c2"})

    assert clock.drain() == 2

    bodies = sorted(call[1]["body"]["connection"] for call in clock_app.calls)
    assert bodies == ["c1", "c2"]
    assert clock.drain() == 0  # deleted, not redelivered


def test_a_failed_item_is_left_for_redelivery_while_the_rest_of_its_batch_is_done(
    clock: JobClock, aws: Settings
) -> None:
    send(aws, {"connection": "good"})
    send(aws, {"connection": "bad", "poison": True})

    clock.poll_queues()

    sqs = boto3.client("sqs", region_name=aws.aws_region)
    attributes = sqs.get_queue_attributes(
        QueueUrl=aws.ingest_queue_url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "1"
    assert clock.history[-1].failed_message_ids


def test_running_an_unknown_job_is_refused(clock: JobClock) -> None:
    with pytest.raises(KeyError):
        clock.run_job("no-such-job")
