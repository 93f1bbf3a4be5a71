"""The real app: health, OpenAPI, and bad input to every route."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.api.registry import all_operations
from chalicelib.settings import Settings
from tests.conftest import log_lines


def test_health_reports_every_dependency_ok(api: Any) -> None:
    response = api.get("/api/health")

    assert response.status_code == 200
    body = json.loads(response.body)
    assert body["status"] == "ok"
    assert {name: dep["status"] for name, dep in body["dependencies"].items()} == {
        "dynamodb": "ok",
        "kms": "ok",
        "s3": "ok",
        "sqs": "ok",
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_health_is_503_and_names_the_dependency_that_is_down(api: Any, aws: Settings) -> None:
    import boto3

    boto3.client("sqs", region_name=aws.aws_region).delete_queue(QueueUrl=aws.ingest_queue_url)

    response = api.get("/api/health")

    assert response.status_code == 503
    body = json.loads(response.body)
    assert body["status"] == "degraded"
    assert body["dependencies"]["sqs"]["status"] == "unreachable"
    assert body["dependencies"]["dynamodb"]["status"] == "ok"


def test_every_response_carries_a_request_id(api: Any) -> None:
    assert api.get("/api/health").headers["X-Request-Id"]


def test_openapi_documents_every_route_and_nothing_else(api: Any) -> None:
    from app import app

    document = json.loads(api.get("/api/openapi.json").body)
    documented = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    served = {(path, method) for path, methods in app.routes.items() for method in methods}

    assert document["openapi"] == "3.1.0"
    assert documented == served


def test_openapi_document_is_valid_openapi_3_1(api: Any) -> None:
    from openapi_spec_validator import validate

    validate(json.loads(api.get("/api/openapi.json").body))


BAD_BODIES = [
    pytest.param({"Content-Type": "application/json"}, b"{not json", id="malformed-json"),
    pytest.param({"Content-Type": "text/plain"}, b"hello", id="wrong-content-type"),
    pytest.param({"Content-Type": "application/json"}, b"[" + b"1," * 600_000 + b"1]", id="too-large"),
    pytest.param({"Content-Type": "application/json"}, b'{"unexpected": true}', id="wrong-fields"),
]


@pytest.mark.parametrize(("headers", "body"), BAD_BODIES)
@pytest.mark.parametrize("operation", all_operations(), ids=lambda op: f"{op.method} {op.path}")
def test_bad_input_to_any_route_is_a_clear_4xx_never_a_500(
    api: Any, operation: Any, headers: Any, body: bytes
) -> None:
    path = operation.path
    for name in operation.path_parameters:
        path = path.replace("{" + name + "}", "does-not-exist")

    response = api.request(operation.method, path, headers=headers, body=body)

    if response.status_code < 400:
        assert not operation.takes_body  # only routes without a body may ignore one
        return
    assert 400 <= response.status_code < 500
    if operation.response_content_type != "application/json" and response.headers["Content-Type"].startswith(
        operation.response_content_type
    ):
        return  # a page route (the OAuth callback) answers its own failures as pages, as documented
    assert set(json.loads(response.body)["error"]) >= {"code", "message", "request_id"}


def test_logs_of_requests_with_credentials_contain_none_of_them(api: Any, captured_logs: Any) -> None:
    bearer = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtZW1iZXIifQ.c2lnbmVkLWJ5LXVz"
    password = "correct-horse-battery-staple"
    oauth_code = "oauth-code-Zx9vQ2b7Kp4LmN8rT1wY6hJ3sD5fG0aE"

    api.get("/api/health", headers={"Authorization": f"Bearer {bearer}"})
    api.post(
        "/api/health",
        headers={"Content-Type": "application/json"},
        body=json.dumps({"email": "a@example.com", "password": password}),
    )
    api.get(f"/api/health?code={oauth_code}&state=abc")
    from chalicelib.observability import logger

    logger.info("callback received", extra={"query": f"code={oauth_code}", "password": password})
    logger.info("calling platform", extra={"headers": {"Authorization": f"Bearer {bearer}"}})

    logged = captured_logs.getvalue()
    assert len(log_lines(captured_logs)) >= 5
    for secret in (bearer, password, oauth_code):
        assert secret not in logged


def test_each_request_emits_emf_metrics(api: Any, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()

    api.get("/api/health")
    api.get("/api/me")  # 401

    records = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    names = [
        {
            metric["Name"]
            for directive in record["_aws"]["CloudWatchMetrics"]
            for metric in directive["Metrics"]
        }
        for record in records
    ]
    assert names[-2] == {"ApiRequests", "ApiLatency"}
    assert names[-1] == {"ApiRequests", "ApiLatency", "ApiClientErrors"}
    assert records[-1]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "CreatorDeck"
