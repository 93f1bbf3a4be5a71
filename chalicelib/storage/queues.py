"""SQS adapters: the ingest queue's first-sync message."""

from __future__ import annotations

import json
from typing import Any


class SqsIngestQueue:
    def __init__(self, sqs_client: Any, queue_url: str) -> None:
        self._sqs = sqs_client
        self._url = queue_url

    def enqueue_backfill(self, workspace_id: str, connection_id: str) -> None:
        body = {"connection_id": connection_id, "workspace_id": workspace_id, "kind": "backfill"}
        self._sqs.send_message(QueueUrl=self._url, MessageBody=json.dumps(body, sort_keys=True))
