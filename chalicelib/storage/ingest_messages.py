"""The ingest worker's own SQS calls on the ingest queue: a backfill's follow-up message, and delaying
a throttled message until the platform will answer again."""

from __future__ import annotations

import json
import math
from typing import Any, Final

# SQS refuses to keep a message hidden past 12 hours from when it was received; the worker asks some
# minutes into that (Lambda runs up to 15), so it asks for an hour less.
MAX_VISIBILITY_SECONDS: Final = 11 * 60 * 60


class SqsIngestMessages:
    def __init__(self, sqs_client: Any, queue_url: str) -> None:
        self._sqs = sqs_client
        self._url = queue_url

    def send(self, body: dict[str, Any], delay_seconds: int = 0) -> None:
        """``delay_seconds``: SQS delivers the message no sooner (at most 900, as SQS allows)."""
        delay = {"DelaySeconds": min(900, delay_seconds)} if delay_seconds > 0 else {}
        self._sqs.send_message(QueueUrl=self._url, MessageBody=json.dumps(body, sort_keys=True), **delay)

    def delay(self, receipt_handle: str, seconds: float) -> int:
        """Hide a received message for ``seconds`` (whole, at most 12 h) before SQS delivers it again."""
        timeout = min(MAX_VISIBILITY_SECONDS, max(0, math.ceil(seconds)))
        self._sqs.change_message_visibility(
            QueueUrl=self._url, ReceiptHandle=receipt_handle, VisibilityTimeout=timeout
        )
        return timeout
