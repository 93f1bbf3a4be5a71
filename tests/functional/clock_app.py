"""A Chalice app with one schedule and one queue handler, to drive the job clock."""

from __future__ import annotations

import json
from typing import Any

from chalice import Chalice, Rate
from chalice.app import CloudWatchEvent, SQSEvent

app = Chalice(app_name="clock-test")
calls: list[tuple[str, Any]] = []


@app.schedule(Rate(5, unit=Rate.MINUTES), name="sweep")
def sweep(event: CloudWatchEvent) -> None:
    calls.append(("sweep", event.to_dict()))


@app.on_sqs_message(queue="ingest", batch_size=10, name="ingest-worker")
def ingest_worker(event: SQSEvent) -> dict[str, Any]:
    failures = []
    for record in event:
        body = json.loads(record.body)
        calls.append(("ingest", {"body": body, "receive_count": record.to_dict()["attributes"]}))
        if body.get("poison"):
            failures.append({"itemIdentifier": record.to_dict()["messageId"]})
    return {"batchItemFailures": failures}
