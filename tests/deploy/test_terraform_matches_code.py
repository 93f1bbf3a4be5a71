"""infra/terraform agrees with the code it deploys.

GIVEN the Terraform configuration (parsed with python-hcl2) and the code (PynamoDB model classes,
chalicelib.settings, the Chalice app, a static scan of AWS calls),
THEN the tables match the models, every function gets every setting the app reads, every AWS action
the code calls is granted to the functions that run that code, and nothing more is granted.
"""

from __future__ import annotations

import fnmatch
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

hcl2 = pytest.importorskip("hcl2", reason="python-hcl2 is needed to read infra/terraform")

from chalicelib.domain.privacy import EXPORT_RETENTION  # noqa: E402
from tests.deploy.aws_calls import scan  # noqa: E402
from tests.deploy.models_schema import model_schemas  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "infra" / "terraform"
IAM_ACTIONS = TERRAFORM / "iam_actions.json"

# Settings Powertools reads (not in chalicelib.settings.VARIABLES).
POWERTOOLS_VARIABLES = {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_LOG_LEVEL"}


def _plain(value: Any) -> Any:
    """python-hcl2 keeps HCL's quotes around strings and object keys; drop them."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


@cache
def terraform() -> dict[str, Any]:
    """All .tf files merged: {"locals": {...}, "resource": {type: {name: body}}, "variable": {...}}."""
    merged: dict[str, Any] = {"locals": {}, "resource": {}, "variable": {}}
    for path in sorted(TERRAFORM.glob("*.tf")):
        with path.open() as handle:
            parsed = _plain(hcl2.load(handle))
        for block in parsed.get("locals", []):
            merged["locals"].update(block)
        for block in parsed.get("resource", []):
            for rtype, resources in block.items():
                merged["resource"].setdefault(rtype, {}).update(resources)
        for block in parsed.get("variable", []):
            merged["variable"].update(block)
    return merged


def resource(rtype: str, name: str) -> dict[str, Any]:
    body: dict[str, Any] = terraform()["resource"][rtype][name]
    return body


def iam_entries() -> dict[str, Any]:
    entries: dict[str, Any] = json.loads(IAM_ACTIONS.read_text())["functions"]
    return entries


def operator_entries() -> dict[str, Any]:
    """Operator commands run from a person's machine (chalicelib/cli.py), by the same rules."""
    entries: dict[str, Any] = json.loads(IAM_ACTIONS.read_text()).get("operators", {})
    return entries


def all_entries() -> dict[str, Any]:
    return {**iam_entries(), **{f"operator {name}": entry for name, entry in operator_entries().items()}}


# ---- tables ---------------------------------------------------------------------------------------


def test_every_table_model_has_a_terraform_table_and_no_more():
    assert set(terraform()["locals"]["tables"]) == set(model_schemas())


@pytest.mark.parametrize("logical", sorted(model_schemas()))
def test_table_keys_indexes_and_ttl_match_the_model(logical):
    model = model_schemas()[logical]
    table = terraform()["locals"]["tables"][logical]

    assert (table["hash_key"], table.get("range_key")) == (model.hash_key, model.range_key)
    assert table["attributes"] == model.attributes
    assert {
        name: (index["hash_key"], index.get("range_key"), index["projection"])
        for name, index in table["indexes"].items()
    } == {name: (i.hash_key, i.range_key, i.projection) for name, i in model.indexes.items()}
    assert model.local_indexes == {}, "infra/terraform/dynamodb.tf declares no local secondary indexes yet"
    assert model.ttl_attribute is not None, f"{logical}: the model has no single TTLAttribute"
    assert table["ttl"] == model.ttl_attribute


def test_tables_are_named_with_the_prefix_the_app_reads():
    table = resource("aws_dynamodb_table", "table")
    assert table["for_each"] == "${local.tables}"
    assert table["name"] == "${local.name_prefix}-${each.key}"
    assert terraform()["locals"]["lambda_environment"]["CREATORDECK_TABLE_PREFIX"] == "${local.name_prefix}"


def test_tables_are_on_demand_with_pitr_deletion_protection_and_the_data_key():
    table = resource("aws_dynamodb_table", "table")
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert table["point_in_time_recovery"][0]["enabled"] is True
    assert table["deletion_protection_enabled"] == "${var.deletion_protection}"
    assert table["server_side_encryption"][0]["kms_key_arn"] == "${aws_kms_key.data.arn}"
    assert table["ttl"][0]["enabled"] is True


# ---- settings ---------------------------------------------------------------------------------------


def _settings_read_in_aws() -> set[str]:
    from chalicelib import settings

    return set(settings.variable_names()) - set(getattr(settings, "RUNTIME_PROVIDED", ()))


def test_every_function_gets_the_one_environment():
    function = resource("aws_lambda_function", "function")
    assert function["for_each"] == "${local.functions}"
    assert function["environment"][0]["variables"] == "${local.lambda_environment}"


def test_every_setting_the_app_reads_is_set():
    missing = _settings_read_in_aws() - set(terraform()["locals"]["lambda_environment"])
    assert not missing, f"add to local.lambda_environment in infra/terraform/main.tf: {sorted(missing)}"


def test_no_local_only_runtime_or_unknown_variable_is_set():
    from chalicelib import settings

    environment = set(terraform()["locals"]["lambda_environment"])
    local_only = set(settings.variable_names(include_local_only=True)) - set(settings.variable_names())
    assert not environment & local_only, "local-stack settings (AWS_ENDPOINT_URL...) must never be set in AWS"
    assert not environment & set(getattr(settings, "RUNTIME_PROVIDED", ())), "Lambda sets these itself"
    unknown = environment - _settings_read_in_aws() - POWERTOOLS_VARIABLES
    assert not unknown, f"set but read by nothing: {sorted(unknown)}"


# ---- functions ------------------------------------------------------------------------------------


def test_functions_map_and_iam_actions_name_the_same_functions():
    assert set(terraform()["locals"]["functions"]) == set(iam_entries())


def test_each_function_is_the_api_a_schedule_or_a_queue_worker():
    functions = terraform()["locals"]["functions"]
    schedules = terraform()["variable"]["schedules"]["default"]
    queues = terraform()["locals"]["queues"]
    for name, function in functions.items():
        kinds = [function["schedule"] is not None, function["queue"] is not None, name == "api"]
        assert sum(kinds) == 1, f"{name}: exactly one of api, schedule, queue"
        if function["schedule"] is not None:
            assert function["schedule"] in schedules, f"{name}: no default cadence in var.schedules"
        if function["queue"] is not None:
            assert queues[function["queue"]]["consumer"] == name


def test_every_chalice_handler_is_deployed_as_declared():
    """Each schedule / SQS handler of app.py has a function here, of the same kind and handler."""
    import app as chalice_app

    functions = terraform()["locals"]["functions"]
    by_handler = {f["handler"]: (name, f) for name, f in functions.items()}
    assert by_handler.get("app.app", ("",))[0] == "api"
    for source in chalice_app.app.event_sources:
        assert source.handler_string in by_handler, (
            f"{source.handler_string}: add it to local.functions (main.tf)"
        )
        name, function = by_handler[source.handler_string]
        kind = type(source).__name__
        if kind == "CloudWatchEventConfig" or kind == "ScheduledEventConfig":
            assert function["schedule"] is not None, f"{name} is a schedule handler in app.py"
        elif kind == "SQSEventConfig":
            assert function["queue"] is not None, f"{name} is an SQS handler in app.py"


# ---- IAM ----------------------------------------------------------------------------------------------


@cache
def code_actions() -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """module -> [(where, IAM actions)] for every AWS call found in the deployed code."""
    found: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for call in scan():
        found.setdefault(call.module, []).append((f"{call.module}:{call.line} {call.call}", call.actions))
    return found


def _claimed(entry: dict[str, Any], module: str) -> bool:
    return any(fnmatch.fnmatch(module, pattern) for pattern in entry["modules"])


def _granted(entry: dict[str, Any]) -> set[str]:
    return {action for statement in entry["statements"] for action in statement["actions"]}


def test_every_module_that_calls_aws_is_claimed_by_a_function():
    unclaimed = [m for m in code_actions() if not any(_claimed(e, m) for e in all_entries().values())]
    assert not unclaimed, f"name the functions that run these modules in iam_actions.json: {unclaimed}"


@pytest.mark.parametrize("function", sorted(all_entries()))
def test_every_action_the_code_calls_is_allowed_to_the_function_that_calls_it(function):
    entry = all_entries()[function]
    granted = _granted(entry)
    missing = [
        f"{where} needs {' or '.join(actions)}"
        for module, calls in code_actions().items()
        if _claimed(entry, module)
        for where, actions in calls
        if not granted & set(actions)
    ]
    assert not missing, f"{function}: not allowed in iam_actions.json:\n" + "\n".join(missing)


@pytest.mark.parametrize("function", sorted(all_entries()))
def test_no_action_is_granted_that_the_code_does_not_call(function):
    entry = all_entries()[function]
    called = {
        action
        for module, calls in code_actions().items()
        if _claimed(entry, module)
        for _, actions in calls
        for action in actions
    }
    assert _granted(entry) <= called, (
        f"{function}: granted but never called: {sorted(_granted(entry) - called)}"
    )


def test_no_function_may_scan_a_table():
    """Scans are for operator commands (iam_actions.json ``operators``), never a function's code."""
    for function, entry in iam_entries().items():
        assert "dynamodb:Scan" not in _granted(entry), function


def test_iam_actions_name_known_resources_and_no_wildcards():
    known = set(terraform()["locals"]["iam_resources"])
    for function, entry in all_entries().items():
        for statement in entry["statements"]:
            assert re.fullmatch(r"[A-Za-z0-9]+", statement["sid"]), f"{function}: sid must be alphanumeric"
            assert set(statement["resources"]) <= known, f"{function}: unknown resource in {statement}"
            for action in statement["actions"]:
                assert re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9]+", action), (
                    f"{function}: {action} is not one action"
                )


# ---- checkov skips ------------------------------------------------------------------------------------


def test_every_checkov_skip_gives_a_reason():
    for path in TERRAFORM.glob("*.tf"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if "checkov:skip=" in line:
                assert re.search(r"checkov:skip=CKV2?_AWS_\d+:\S.{10,}", line), (
                    f"{path.name}:{number} needs a reason"
                )


def test_bucket_retention_defaults_keep_the_privacy_policys_promises():
    # web/src/pages/legal.tsx: exports kept one day, uploaded media seven days (at most ninety)
    variables = terraform()["variable"]
    assert variables["export_retention_days"]["default"] == EXPORT_RETENTION.days == 1
    assert variables["media_retention_days"]["default"] == 7
    assert "90" in str(variables["media_retention_days"]["validation"])
    buckets = terraform()["locals"]["buckets"]
    assert buckets["media"]["expire_days"] == "${var.media_retention_days}"
    assert buckets["exports"]["expire_days"] == "${var.export_retention_days}"
