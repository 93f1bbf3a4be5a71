"""SQS adapter: the privacy queue (deletion and export jobs for the privacy worker)."""

from __future__ import annotations

import json
from typing import Any


class SqsPrivacyQueue:
    def __init__(self, sqs_client: Any, queue_url: str) -> None:
        self._sqs = sqs_client
        self._url = queue_url

    def send(self, body: dict[str, str]) -> None:
        self._sqs.send_message(QueueUrl=self._url, MessageBody=json.dumps(body, sort_keys=True))
