"""Creates every AWS resource the app needs on the embedded AWS, from one definition.

Tables come from the PynamoDB models (with TTL), queues from ``config.QUEUES``
(each with a DLQ and redrive), plus the token KMS key and alias, the buckets and
the app secret. Idempotent: running it twice changes nothing.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from chalicelib.bootstrap import AwsClients
from chalicelib.settings import Settings
from chalicelib.storage.base import bind_tables, table_models
from devstack.config import QUEUES, SIMULATOR_CLIENT_SECRETS, queue_name


@dataclass(frozen=True)
class Provisioned:
    tables: list[str]
    queues: list[str]
    buckets: list[str]
    key_id: str


def provision(settings: Settings) -> Provisioned:
    aws = AwsClients(settings)
    create_app_secret(aws.client("secretsmanager"), settings.secrets_id)
    return Provisioned(
        tables=create_tables(settings),
        queues=create_queues(aws.client("sqs"), settings.table_prefix, settings.ingest_max_receives),
        buckets=create_buckets(aws.client("s3"), [settings.media_bucket, settings.exports_bucket]),
        key_id=create_token_key(aws.client("kms"), settings.token_key_id),
    )


def create_tables(settings: Settings) -> list[str]:
    bind_tables(settings)
    names = []
    for table in table_models():
        if not table.exists():
            table.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        names.append(table.Meta.table_name)
    return names


def create_queues(sqs: Any, prefix: str, max_receives: int) -> list[str]:
    """Each queue with its DLQ, after ``max_receives`` deliveries (the worker's last-try rule reads
    the same setting, as the functions do in AWS where Terraform sets both)."""
    names = []
    for queue in QUEUES:
        dlq_url = sqs.create_queue(QueueName=queue_name(prefix, f"{queue}-dlq"))["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receives)})
        sqs.create_queue(
            QueueName=queue_name(prefix, queue),
            Attributes={"RedrivePolicy": redrive, "VisibilityTimeout": "30"},
        )
        names += [queue_name(prefix, queue), queue_name(prefix, f"{queue}-dlq")]
    return names


def create_buckets(s3: Any, buckets: list[str]) -> list[str]:
    existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
    for bucket in buckets:
        if bucket not in existing:
            s3.create_bucket(Bucket=bucket)
        s3.put_public_access_block(
            Bucket=bucket,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
    return buckets


def create_token_key(kms: Any, alias: str) -> str:
    aliases = {entry["AliasName"]: entry.get("TargetKeyId") for entry in kms.list_aliases()["Aliases"]}
    if aliases.get(alias):
        return str(aliases[alias])
    key_id = str(kms.create_key(Description="CreatorDeck platform tokens (local)")["KeyMetadata"]["KeyId"])
    kms.enable_key_rotation(KeyId=key_id)
    kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    return key_id


def create_app_secret(secretsmanager: Any, secret_id: str) -> None:
    """The app secret: session signing key (random per local start) and platform client secrets."""
    try:
        secretsmanager.describe_secret(SecretId=secret_id)
    except secretsmanager.exceptions.ResourceNotFoundException:
        value = {"session_signing_key": secrets.token_urlsafe(48), **SIMULATOR_CLIENT_SECRETS}
        secretsmanager.create_secret(Name=secret_id, SecretString=json.dumps(value))
