"""Error kinds from each platform's structured codes, usage headers and PKCE (no I/O)."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

import httpx
import pytest

from chalicelib.domain.platforms import Platform
from chalicelib.platforms.base import (
    AccessTokenExpiredError,
    BadRequestError,
    Call,
    Dialect,
    PermissionMissingError,
    RateLimitedError,
    ReauthorizeError,
    RetryLaterError,
)
from chalicelib.platforms.classify import classify
from chalicelib.platforms.pkce import base64url_challenge, hex_challenge
from chalicelib.platforms.usage import parse_usage_headers

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def kind(dialect: Dialect, status: int, body: object, headers: dict[str, str] | None = None) -> object:
    call = Call(platform=Platform.TIKTOK, dialect=dialect, method="GET", url="https://example.test/x")
    return classify(call, httpx.Response(status, json=body, headers=headers), NOW)


@pytest.mark.parametrize(
    ("dialect", "status", "body", "expected"),
    [
        (Dialect.TIKTOK_OAUTH, 200, {"error": "invalid_grant", "error_description": "x"}, ReauthorizeError),
        (Dialect.TIKTOK_OAUTH, 200, {"error": "invalid_client"}, BadRequestError),
        (Dialect.TIKTOK_OAUTH, 200, {"error": "temporarily_unavailable"}, RetryLaterError),
        (
            Dialect.TIKTOK_API,
            401,
            {"data": {}, "error": {"code": "access_token_invalid"}},
            AccessTokenExpiredError,
        ),
        (
            Dialect.TIKTOK_API,
            400,
            {"data": {}, "error": {"code": "scope_permission_missed"}},
            PermissionMissingError,
        ),
        (Dialect.TIKTOK_API, 429, {"data": {}, "error": {"code": "rate_limit_exceeded"}}, RateLimitedError),
        (
            Dialect.TIKTOK_API,
            200,
            {"data": {}, "error": {"code": "spam_risk_too_many_posts"}},
            BadRequestError,
        ),
        (Dialect.GRAPH, 400, {"error": {"code": 190, "error_subcode": 463}}, ReauthorizeError),
        (Dialect.GRAPH, 400, {"error": {"code": 10}}, PermissionMissingError),
        (Dialect.GRAPH, 403, {"error": {"code": 200}}, PermissionMissingError),
        (Dialect.GRAPH, 400, {"error": {"code": 80002}}, RateLimitedError),
        (Dialect.GRAPH, 500, {"error": {"code": 2, "is_transient": True}}, RetryLaterError),
        (Dialect.GRAPH, 400, {"error": {"code": 100}}, BadRequestError),
        (Dialect.GOOGLE_OAUTH, 400, {"error": "invalid_grant"}, ReauthorizeError),
        (
            Dialect.GOOGLE_API,
            401,
            {"error": {"code": 401, "errors": [{"reason": "authError"}]}},
            AccessTokenExpiredError,
        ),
        (
            Dialect.GOOGLE_API,
            403,
            {"error": {"code": 403, "errors": [{"reason": "insufficientPermissions"}]}},
            PermissionMissingError,
        ),
        (
            Dialect.GOOGLE_API,
            403,
            {"error": {"code": 403, "errors": [{"reason": "quotaExceeded"}]}},
            RateLimitedError,
        ),
        (
            Dialect.GOOGLE_API,
            503,
            {"error": {"code": 503, "errors": [{"reason": "backendError"}]}},
            RetryLaterError,
        ),
        (
            Dialect.GOOGLE_API,
            404,
            {"error": {"code": 404, "errors": [{"reason": "videoNotFound"}]}},
            BadRequestError,
        ),
    ],
)
def test_structured_codes_map_to_kinds(dialect, status, body, expected):
    assert type(kind(dialect, status, body)) is expected


def test_success_is_not_an_error():
    assert kind(Dialect.TIKTOK_API, 200, {"data": {}, "error": {"code": "ok"}}) is None
    assert kind(Dialect.GRAPH, 200, {"data": []}) is None


def test_retry_after_seconds_and_http_dates_are_read():
    assert kind(Dialect.TIKTOK_API, 429, {}, {"Retry-After": "12"}).retry_after == 12  # type: ignore[attr-defined]
    dated = kind(Dialect.GOOGLE_API, 429, {}, {"Retry-After": "Mon, 01 Jun 2026 12:01:00 GMT"})
    assert dated.retry_after == 60  # type: ignore[attr-defined]


def test_youtube_quota_waits_until_pacific_midnight():
    error = kind(Dialect.GOOGLE_API, 403, {"error": {"errors": [{"reason": "quotaExceeded"}]}})
    assert error.retry_after == 20 * 3600  # type: ignore[attr-defined]  # 12:00 UTC = 04:00 at UTC-8


def test_usage_headers_give_the_highest_percentage_and_regain_time():
    headers = httpx.Headers(
        {
            "X-App-Usage": '{"call_count":28,"total_cputime":93,"total_time":25}',
            "X-Business-Use-Case-Usage": '{"104":[{"type":"pages","call_count":100,"total_cputime":2,'
            '"total_time":2,"estimated_time_to_regain_access":19}]}',
        }
    )
    assert parse_usage_headers(headers) == {"app": (93.0, 0.0), "104": (100.0, 19 * 60.0)}


def test_pkce_challenges_are_hex_for_tiktok_and_base64url_for_google():
    verifier = "v" * 43
    digest = hashlib.sha256(verifier.encode()).digest()
    assert hex_challenge(verifier) == digest.hex()
    assert base64url_challenge(verifier) == base64.urlsafe_b64encode(digest).decode().rstrip("=")


def test_errors_never_show_more_than_their_codes_in_repr():
    error = ReauthorizeError("Session expired", platform="meta", status_code=400, platform_code="190")
    assert repr(error) == (
        "ReauthorizeError('Session expired', platform='meta', status_code=400, platform_code='190')"
    )
