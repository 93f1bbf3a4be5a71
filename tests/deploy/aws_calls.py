"""Static scan of the deployed code (app.py, chalicelib/) for the AWS actions it calls.

Found per module, so tests/deploy can check them against infra/terraform/iam_actions.json:

* boto3: the services are the string literals given to ``.client("...")`` / ``.resource("...")``.
  A call ``<receiver>.<operation>(...)`` is an action of a service when the operation is one of that
  service's (botocore's own models, snake_case) and the receiver is a boto3 client by our naming
  convention: ``x.client("kms").<op>``, or a name containing ``client`` (any used service) or the
  service's name (``self._kms``, ``ses_client``). An operation name two candidate services share
  counts as either. ``generate_presigned_url("put_object")`` counts as the
  operation it signs: the signer's role is what S3 checks.
* PynamoDB: in a module that imports pynamodb, the model operations (``save``, ``update``, ``delete``,
  ``get``, ``query``, ``scan``, ``batch_write``, transactions' ``condition_check``...) map to the
  DynamoDB actions PynamoDB calls. Calls that are plainly not PynamoDB (``dict.update(other)``,
  ``"text".count("x")``) are left out; anything else erring on the side of a grant.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import botocore.session
from botocore import xform_name

ROOT = Path(__file__).resolve().parents[2]

# boto3 service name -> IAM action prefix, where they differ.
IAM_PREFIX = {"sesv2": "ses", "logs": "logs", "events": "events"}

# Operations whose IAM action is another name (or several).
IAM_ACTION_OF_OPERATION = {
    ("s3", "HeadBucket"): ("ListBucket",),
    ("s3", "HeadObject"): ("GetObject",),
    ("s3", "ListObjects"): ("ListBucket",),
    ("s3", "ListObjectsV2"): ("ListBucket",),
    ("s3", "DeleteObjects"): ("DeleteObject",),
    ("s3", "CopyObject"): ("GetObject", "PutObject"),
    ("s3", "CreateMultipartUpload"): ("PutObject",),
    ("s3", "UploadPart"): ("PutObject",),
    ("s3", "CompleteMultipartUpload"): ("PutObject",),
    ("sqs", "SendMessageBatch"): ("SendMessage",),
    ("sqs", "DeleteMessageBatch"): ("DeleteMessage",),
    ("sqs", "ChangeMessageVisibilityBatch"): ("ChangeMessageVisibility",),
    ("sqs", "GetQueueUrl"): ("GetQueueUrl",),
    ("dynamodb", "TransactGetItems"): ("GetItem",),
}

PYNAMODB_ACTIONS = {
    "save": "PutItem",
    "update": "UpdateItem",
    "delete": "DeleteItem",
    "get": "GetItem",
    "refresh": "GetItem",
    "batch_get": "BatchGetItem",
    "batch_write": "BatchWriteItem",
    "query": "Query",
    "scan": "Scan",
    "count": "Query",
    "condition_check": "ConditionCheckItem",
    "exists": "DescribeTable",
    "describe_table": "DescribeTable",
}


@dataclass(frozen=True)
class AwsCall:
    module: str  # path relative to the repository root
    line: int
    call: str  # what the code says, e.g. "kms.generate_data_key" or "pynamodb save"
    actions: tuple[str, ...]  # IAM actions; when several, any one of them (an ambiguous name)


def deployed_modules() -> list[Path]:
    files = [ROOT / "app.py"] if (ROOT / "app.py").exists() else []
    return files + sorted(p for p in (ROOT / "chalicelib").rglob("*.py") if "__pycache__" not in p.parts)


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@cache
def _operations(service: str) -> dict[str, str]:
    """snake_case operation name -> API name, from botocore's service model."""
    model = botocore.session.get_session().get_service_model(service)
    return {xform_name(name): name for name in model.operation_names}


def _iam_actions(service: str, operation: str) -> tuple[str, ...]:
    prefix = IAM_PREFIX.get(service, service)
    return tuple(f"{prefix}:{a}" for a in IAM_ACTION_OF_OPERATION.get((service, operation), (operation,)))


def used_services(trees: dict[Path, ast.Module]) -> set[str]:
    services: set[str] = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"client", "resource"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                services.add(node.args[0].value)
    return services


def _imports_pynamodb(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "pynamodb":
            return True
        if isinstance(node, ast.ImportFrom) and node.module == "chalicelib.storage.models":
            return True
        if isinstance(node, ast.Import) and any(
            alias.name.split(".")[0] == "pynamodb" for alias in node.names
        ):
            return True
    return False


def _receiver_is_class(node: ast.expr) -> bool:
    """`Model.query`, `Model.gsi1.query`: a capitalised name at the root of the receiver."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id[:1].isupper()


SERVICE_NAME_HINTS = {"secretsmanager": ("secret",), "dynamodb": ("dynamo", "ddb"), "sesv2": ("ses",)}


def _client_of(receiver: ast.expr, service: str) -> bool:
    """Is `receiver` a boto3 client of `service`, by the naming convention in the module docstring?"""
    if isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Attribute):
        if receiver.func.attr in {"client", "resource"} and receiver.args:
            first = receiver.args[0]
            return isinstance(first, ast.Constant) and first.value == service
        return False
    if isinstance(receiver, ast.Attribute):
        name = receiver.attr
    elif isinstance(receiver, ast.Name):
        name = receiver.id
    else:
        return False
    name = name.lower()
    hints = (service, *SERVICE_NAME_HINTS.get(service, ()))
    return "client" in name or any(
        hint in name.split("_") or name.strip("_").startswith(hint) for hint in hints
    )


def _is_pynamodb_call(call: ast.Call, method: str) -> bool:
    receiver = call.func.value  # type: ignore[attr-defined]
    if method == "update":
        # PynamoDB: item.update(actions=[...]) / transaction.update(item, actions=[...]); not dict.update(x)
        return any(k.arg == "actions" for k in call.keywords) or (
            bool(call.args) and isinstance(call.args[0], ast.List)
        )
    if method == "get":
        return _receiver_is_class(receiver) or any(
            k.arg in {"consistent_read", "range_key"} for k in call.keywords
        )
    if method == "exists":  # Model.exists(), not the condition Model.attr.exists()
        return isinstance(receiver, ast.Name) and receiver.id[:1].isupper()
    if method in {"count", "scan"}:  # Model.count() / Model.index.count(), not str.count()
        return _receiver_is_class(receiver)
    return True


def _presigned_operation(call: ast.Call) -> str | None:
    for keyword in call.keywords:
        if keyword.arg == "ClientMethod" and isinstance(keyword.value, ast.Constant):
            return str(keyword.value.value)
    if call.args and isinstance(call.args[0], ast.Constant):
        return str(call.args[0].value)
    return None


def scan() -> list[AwsCall]:
    trees = {path: ast.parse(path.read_text(), filename=str(path)) for path in deployed_modules()}
    services = used_services(trees)
    by_name: dict[str, list[tuple[str, str]]] = {}
    for service in sorted(services):
        for snake, operation in _operations(service).items():
            by_name.setdefault(snake, []).append((service, operation))

    calls: list[AwsCall] = []
    for path, tree in trees.items():
        pynamodb_module = _imports_pynamodb(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            method = node.func.attr
            found = list(_calls_in(node, method, by_name, pynamodb_module))
            calls.extend(AwsCall(_rel(path), node.lineno, what, actions) for what, actions in found)
    return calls


def _calls_in(
    node: ast.Call, method: str, by_name: dict[str, list[tuple[str, str]]], pynamodb_module: bool
) -> Iterator[tuple[str, tuple[str, ...]]]:
    if method in {"generate_presigned_url", "generate_presigned_post"}:
        signed = "put_object" if method == "generate_presigned_post" else _presigned_operation(node)
        if signed and signed in by_name:
            yield (f"presigned {signed}", tuple(a for s, op in by_name[signed] for a in _iam_actions(s, op)))
        return
    if method in by_name:
        candidates = [(s, op) for s, op in by_name[method] if _client_of(node.func.value, s)]  # type: ignore[attr-defined]
        if candidates:
            yield (method, tuple(a for s, op in candidates for a in _iam_actions(s, op)))
            return
    if pynamodb_module and method in PYNAMODB_ACTIONS and _is_pynamodb_call(node, method):
        yield (f"pynamodb {method}", (f"dynamodb:{PYNAMODB_ACTIONS[method]}",))


if __name__ == "__main__":
    for found in scan():
        print(f"{found.module}:{found.line}: {found.call} -> {' | '.join(found.actions)}")
