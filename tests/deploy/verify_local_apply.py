"""Check what `terraform apply` created in the embedded AWS (run by infra/deploy_check.sh).

Reads `terraform output -json` and asks the moto server, with boto3, whether each part is there and
configured as promised: tables (keys and indexes from the PynamoDB models, TTL on expires_at, PITR,
SSE with KMS), KMS key rotation, queues with a redrive policy to their DLQ, bucket lifecycle and
public access block, functions with the settings the app reads, queue triggers and schedules,
alarms and log retention, the REST API with the app's routes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


class Checks:
    def __init__(self) -> None:
        self.failures: list[str] = []
        self.passed = 0

    def expect(self, condition: bool, what: str) -> None:
        if condition:
            self.passed += 1
        else:
            self.failures.append(what)


def _client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def check_tables(checks: Checks, endpoint: str, table_names: dict[str, str]) -> None:
    from tests.deploy.models_schema import model_schemas

    dynamodb = _client("dynamodb", endpoint)
    for logical, expected in model_schemas().items():
        name = table_names.get(logical)
        checks.expect(name is not None, f"table {logical}: not in terraform outputs")
        if name is None:
            continue
        table = dynamodb.describe_table(TableName=name)["Table"]
        keys = {k["KeyType"]: k["AttributeName"] for k in table["KeySchema"]}
        checks.expect(
            keys == {"HASH": expected.hash_key, "RANGE": expected.range_key}, f"table {name}: keys {keys}"
        )
        checks.expect(
            table.get("BillingModeSummary", {}).get("BillingMode") == "PAY_PER_REQUEST",
            f"table {name}: not on-demand",
        )
        indexes = {
            index["IndexName"]: (
                {k["KeyType"]: k["AttributeName"] for k in index["KeySchema"]},
                index["Projection"]["ProjectionType"],
            )
            for index in table.get("GlobalSecondaryIndexes", [])
        }
        wanted = {
            name_: (
                {"HASH": i.hash_key, "RANGE": i.range_key} if i.range_key else {"HASH": i.hash_key},
                i.projection,
            )
            for name_, i in expected.indexes.items()
        }
        checks.expect(indexes == wanted, f"table {name}: indexes {indexes} != {wanted}")
        sse = table.get("SSEDescription", {})
        checks.expect(sse.get("SSEType") == "KMS", f"table {name}: not encrypted with a KMS key ({sse})")
        ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        checks.expect(
            ttl.get("TimeToLiveStatus") == "ENABLED" and ttl.get("AttributeName") == expected.ttl_attribute,
            f"table {name}: TTL {ttl}",
        )
        backups = dynamodb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
        pitr = backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"]
        checks.expect(pitr == "ENABLED", f"table {name}: point-in-time recovery {pitr}")


def check_keys(checks: Checks, endpoint: str, key_arns: list[str]) -> None:
    kms = _client("kms", endpoint)
    for arn in key_arns:
        status = kms.get_key_rotation_status(KeyId=arn)
        checks.expect(status["KeyRotationEnabled"] is True, f"key {arn}: rotation off")


def check_queues(checks: Checks, endpoint: str, queue_urls: dict[str, str], dlq_urls: dict[str, str]) -> None:
    sqs = _client("sqs", endpoint)
    for name, url in queue_urls.items():
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        redrive = json.loads(attributes.get("RedrivePolicy", "{}"))
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_urls[name], AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        checks.expect(redrive.get("deadLetterTargetArn") == dlq_arn, f"queue {name}: redrive {redrive}")
        checks.expect(int(redrive.get("maxReceiveCount", 0)) > 0, f"queue {name}: no maxReceiveCount")
        checks.expect(
            bool(attributes.get("KmsMasterKeyId")), f"queue {name}: not encrypted with the data key"
        )
    checks.expect("async" in dlq_urls, "no async-invoke DLQ")


def check_buckets(checks: Checks, endpoint: str, buckets: dict[str, str]) -> None:
    s3 = _client("s3", endpoint)
    for role, bucket in buckets.items():
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        checks.expect(all(block.values()) and len(block) == 4, f"bucket {role}: public access block {block}")
        encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        algorithm = encryption["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]
        checks.expect(
            algorithm == ("AES256" if role == "web" else "aws:kms"), f"bucket {role}: encryption {algorithm}"
        )
        rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
        if role == "web":
            checks.expect(
                any("NoncurrentVersionExpiration" in r for r in rules), "bucket web: no old-release expiry"
            )
        else:
            days = [r.get("Expiration", {}).get("Days") for r in rules if r.get("Status") == "Enabled"]
            checks.expect(any(d for d in days), f"bucket {role}: no expiration lifecycle rule ({rules})")
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        checks.expect(
            any(
                s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
                for s in policy["Statement"]
            ),
            f"bucket {role}: no TLS-only policy",
        )


def check_functions(
    checks: Checks, endpoint: str, functions: dict[str, str], queue_urls: dict[str, str]
) -> None:
    from chalicelib import settings

    awslambda = _client("lambda", endpoint)
    events = _client("events", endpoint)
    wanted_env = set(settings.variable_names()) - set(getattr(settings, "RUNTIME_PROVIDED", ()))
    rules = {rule["Name"]: rule for rule in events.list_rules()["Rules"]}
    mappings = awslambda.list_event_source_mappings()["EventSourceMappings"]
    for logical, name in functions.items():
        config = awslambda.get_function_configuration(FunctionName=name)
        env = config.get("Environment", {}).get("Variables", {})
        missing = sorted(wanted_env - set(env))
        checks.expect(not missing, f"function {logical}: environment lacks {missing}")
        checks.expect("AWS_ENDPOINT_URL" not in env, f"function {logical}: AWS_ENDPOINT_URL is set")
        checks.expect(
            config.get("TracingConfig", {}).get("Mode") == "Active", f"function {logical}: no tracing"
        )
        role = config["Role"].rsplit("/", 1)[-1]
        checks.expect(role.endswith(logical), f"function {logical}: role {role} is not its own")
        rule = rules.get(name)
        consumes = [m for m in mappings if m["FunctionArn"].endswith(f":function:{name}")]
        checks.expect(
            logical == "api" or rule is not None or bool(consumes),
            f"function {logical}: neither scheduled nor fed by a queue",
        )
        if rule is not None:
            targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
            checks.expect(
                any(t["Arn"].endswith(f":function:{name}") for t in targets), f"schedule {name}: no target"
            )
    checks.expect(
        len(mappings) == len(queue_urls), f"{len(mappings)} queue triggers for {len(queue_urls)} queues"
    )


def check_secret_and_alarms(checks: Checks, endpoint: str, outputs: dict[str, Any]) -> None:
    secrets = _client("secretsmanager", endpoint)
    described = secrets.describe_secret(SecretId=outputs["app_secret_arn"])
    checks.expect(bool(described.get("KmsKeyId")), "app secret: not encrypted with the data key")
    cloudwatch = _client("cloudwatch", endpoint)
    alarms = [a["AlarmName"] for a in cloudwatch.describe_alarms(MaxRecords=100)["MetricAlarms"]]
    alarms += [
        a["AlarmName"]
        for a in cloudwatch.describe_alarms(AlarmTypes=["MetricAlarm"], MaxRecords=100).get(
            "MetricAlarms", []
        )
    ]
    for queue in outputs["dead_letter_queue_urls"]:
        checks.expect(any(f"-{queue}-" in a for a in alarms), f"no alarm on the {queue} DLQ")
    for logical in outputs["function_names"]:
        checks.expect(any(a.endswith(f"-{logical}-errors") for a in alarms), f"no error alarm for {logical}")
    checks.expect(
        any(a.endswith("-deletion-request-overdue") for a in alarms), "no alarm on old deletion requests"
    )
    logs = _client("logs", endpoint)
    for logical, name in outputs["function_names"].items():
        groups = logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{name}")["logGroups"]
        checks.expect(
            bool(groups) and groups[0].get("retentionInDays") is not None,
            f"function {logical}: log group without retention",
        )


def check_api(checks: Checks, endpoint: str, outputs: dict[str, Any]) -> None:
    apigateway = _client("apigateway", endpoint)
    apis = [a for a in apigateway.get_rest_apis()["items"] if a["name"].endswith("-api")]
    checks.expect(len(apis) == 1, f"expected one REST API, found {[a['name'] for a in apis]}")
    if not apis:
        return
    paths = {r["path"] for r in apigateway.get_resources(restApiId=apis[0]["id"], limit=500)["items"]}
    checks.expect(any(p.startswith("/api/") for p in paths), f"REST API has no /api routes: {sorted(paths)}")
    stages = [s["stageName"] for s in apigateway.get_stages(restApiId=apis[0]["id"])["item"]]
    invoke_url = outputs["api_invoke_url"]
    checks.expect(any(invoke_url.endswith(f"/{s}") for s in stages), f"stage missing: {stages}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--outputs", required=True, type=Path)
    args = parser.parse_args()
    outputs = {name: value["value"] for name, value in json.loads(args.outputs.read_text()).items()}

    checks = Checks()
    check_tables(checks, args.endpoint, outputs["table_names"])
    check_keys(checks, args.endpoint, [outputs["token_key_arn"], outputs["data_key_arn"]])
    check_queues(checks, args.endpoint, outputs["queue_urls"], outputs["dead_letter_queue_urls"])
    check_buckets(checks, args.endpoint, outputs["bucket_names"])
    check_functions(checks, args.endpoint, outputs["function_names"], outputs["queue_urls"])
    check_secret_and_alarms(checks, args.endpoint, outputs)
    check_api(checks, args.endpoint, outputs)

    for failure in checks.failures:
        print(f"FAIL {failure}")
    print(f"verify: {checks.passed} passed, {len(checks.failures)} failed")
    return 1 if checks.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
