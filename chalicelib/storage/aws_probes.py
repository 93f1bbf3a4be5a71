"""Cheap read-only calls that prove each AWS dependency answers (for /api/health)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class DynamoDbProbe:
    client: Any
    table_name: str
    name: str = "dynamodb"

    def check(self) -> None:
        self.client.describe_table(TableName=self.table_name)


@dataclass
class KmsProbe:
    client: Any
    key_id: str
    name: str = "kms"

    def check(self) -> None:
        self.client.describe_key(KeyId=self.key_id)


@dataclass
class S3Probe:
    client: Any
    bucket: str
    name: str = "s3"

    def check(self) -> None:
        self.client.head_bucket(Bucket=self.bucket)


@dataclass
class SqsProbe:
    client: Any
    queue_url: str
    name: str = "sqs"

    def check(self) -> None:
        self.client.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])
