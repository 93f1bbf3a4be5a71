"""The job clock's events have exactly the shape AWS delivers (samples in tests/events/)."""

from __future__ import annotations

from devstack.lambda_events import LambdaContext, scheduled_event, sqs_event
from tests.conftest import load_event


def test_scheduled_event_has_the_eventbridge_shape() -> None:
    sample = load_event("scheduled_event.json")

    built = scheduled_event("creatordeck-local-ingest-dispatch")

    assert set(built) == set(sample)
    assert built["detail-type"] == sample["detail-type"]
    assert built["time"].endswith("Z")


def test_sqs_event_has_the_event_source_mapping_shape() -> None:
    sample = load_event("sqs_event.json")["Records"][0]
    message = {
        "MessageId": "m-1",
        "ReceiptHandle": "r-1",
        "Body": "{}",
        "Attributes": {"ApproximateReceiveCount": "2"},
    }

    built = sqs_event("arn:aws:sqs:us-east-1:123456789012:q", [message])["Records"][0]

    assert set(built) == set(sample)
    assert set(built["attributes"]) == set(sample["attributes"])
    assert built["attributes"]["ApproximateReceiveCount"] == "2"


def test_context_counts_down_the_remaining_time() -> None:
    context = LambdaContext(function_name="ingest-worker", timeout_seconds=30)

    assert 29_000 < context.get_remaining_time_in_millis() <= 30_000
    assert context.invoked_function_arn.endswith(":function:ingest-worker")
