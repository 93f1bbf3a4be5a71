"""Every error a client sees has one shape and a fitting status; a 500 reveals nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from chalice.test import Client

from tests.conftest import log_lines
from tests.functional import error_contract_app
from tests.functional.error_contract_app import LEAKY_SECRET, MAX_BODY_BYTES

JSON_HEADERS = {"Content-Type": "application/json"}
VALID = {"email": "ana@example.com", "password": "correct horse battery", "age": 30}


@pytest.fixture
def http() -> Any:
    with Client(error_contract_app.app) as client:
        yield client.http


def error_of(response: Any) -> dict[str, Any]:
    body = json.loads(response.body)
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert error["request_id"] == response.headers["X-Request-Id"]
    return error


def test_valid_body_reaches_the_view(http: Any) -> None:
    response = http.post("/api/profiles", headers=JSON_HEADERS, body=json.dumps(VALID))

    assert response.status_code == 201
    assert json.loads(response.body) == {"email": "ana@example.com"}


def test_malformed_json_is_a_400(http: Any) -> None:
    response = http.post("/api/profiles", headers=JSON_HEADERS, body=b'{"email": ')

    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"


def test_missing_body_is_a_400(http: Any) -> None:
    response = http.post("/api/profiles", headers=JSON_HEADERS, body=b"")

    assert response.status_code == 400
    assert error_of(response)["code"] == "missing_body"


def test_wrong_content_type_is_a_415(http: Any) -> None:
    response = http.post("/api/profiles", headers={"Content-Type": "text/plain"}, body=json.dumps(VALID))

    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"


def test_body_over_the_configured_size_is_a_413(http: Any) -> None:
    oversized = json.dumps({**VALID, "padding": "x" * MAX_BODY_BYTES})

    response = http.post("/api/profiles", headers=JSON_HEADERS, body=oversized)

    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"


def test_every_missing_and_invalid_field_is_named_without_echoing_values(http: Any) -> None:
    body = {"email": "not-an-email", "password": "short", "nickname": "x"}

    response = http.post("/api/profiles", headers=JSON_HEADERS, body=json.dumps(body))

    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_failed"
    problems = {problem["field"]: problem["problem"] for problem in error["details"]}
    assert problems == {
        "age": "is required",
        "nickname": "is not an accepted field",
        "email": "must be a valid email",
        "password": "must be at least 12 characters long",
    }
    assert "short" not in response.body.decode()


def test_wrong_type_is_named(http: Any) -> None:
    response = http.post("/api/profiles", headers=JSON_HEADERS, body=json.dumps({**VALID, "age": "thirty"}))

    assert response.status_code == 422
    assert error_of(response)["details"] == [{"field": "age", "problem": "must be of type integer"}]


def test_unsupported_method_is_a_405_that_names_the_allowed_ones(http: Any) -> None:
    response = http.delete("/api/profiles")

    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert response.headers["Allow"] == "POST"


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/api/profiles/p1", 404, "not_found"),
        ("POST", "/api/conflict", 409, "invitation_used"),
        ("GET", "/api/limited", 429, "rate_limited"),
    ],
)
def test_domain_errors_map_to_their_status(http: Any, method: str, path: str, status: int, code: str) -> None:
    response = http.request(method, path, headers=JSON_HEADERS)

    assert response.status_code == status
    assert error_of(response)["code"] == code


def test_rate_limit_says_when_to_retry(http: Any) -> None:
    response = http.get("/api/limited")

    assert response.headers["Retry-After"] == "30"
    assert error_of(response)["details"] == {"retry_after_seconds": 30}


def test_unexpected_exception_is_a_500_with_request_id_and_no_internals(
    http: Any, captured_logs: Any
) -> None:
    response = http.get("/api/crash")

    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "internal_error"
    text = response.body.decode()
    assert "hunter2" not in text
    assert "RuntimeError" not in text
    assert "Traceback" not in text
    # The log has what an engineer needs (the traceback, the request id), minus the secrets.
    logged = captured_logs.getvalue()
    assert "RuntimeError" in logged
    assert error["request_id"] in logged
    assert LEAKY_SECRET.split()[1] not in logged
    assert any(line.get("correlation_id") == error["request_id"] for line in log_lines(captured_logs))
