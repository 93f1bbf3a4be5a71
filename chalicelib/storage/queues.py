"""SQS adapters: the ingest queue (first syncs from the connect flow, due syncs from the dispatcher)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


class SqsIngestQueue:
    def __init__(self, sqs_client: Any, queue_url: str) -> None:
        self._sqs = sqs_client
        self._url = queue_url

    def enqueue_backfill(self, workspace_id: str, connection_id: str) -> None:
        body = {"connection_id": connection_id, "workspace_id": workspace_id, "kind": "backfill"}
        self._sqs.send_message(QueueUrl=self._url, MessageBody=json.dumps(body, sort_keys=True))

    def send_batch(self, bodies: Sequence[dict[str, Any]]) -> list[int]:
        """Sends up to 10 messages in one call; returns the positions SQS did not take."""
        if not bodies:
            return []
        entries = [
            {"Id": str(index), "MessageBody": json.dumps(body, sort_keys=True)}
            for index, body in enumerate(bodies)
        ]
        answer = self._sqs.send_message_batch(QueueUrl=self._url, Entries=entries)
        return sorted(int(failed["Id"]) for failed in answer.get("Failed", []))
