"""Each platform's error answers, classified on their structured codes into the kinds of ``PlatformError``.

TikTok (OAuth's flat shape and the Display API envelope), Meta's Graph ``error`` object and Google's
OAuth and API errors each map to: reauthorize, permission missing, rate limited (with how long to
wait), retry later, or bad request. ``Retry-After`` is read in both its forms.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from chalicelib.platforms.base import (
    AccessTokenExpiredError,
    BadRequestError,
    Call,
    Dialect,
    PermissionMissingError,
    PlatformError,
    RateLimitedError,
    ReauthorizeError,
    RetryLaterError,
)

__all__ = ["classify", "response_body", "retry_after_seconds"]

# Graph codes (platforms/meta.md §0.2).
GRAPH_REAUTHORIZE = frozenset({102, 190})
GRAPH_THROTTLED = frozenset({4, 17, 32, 341, 613, 80001, 80002, 80003, 80004, 80014})
GRAPH_TRANSIENT = frozenset({1, 2})
# Without Retry-After, a throttled Meta app or object is not worth retrying for this long.
GRAPH_DEFAULT_RETRY_AFTER = 600.0


def response_body(response: httpx.Response) -> Any:
    try:
        return response.json() if response.content.strip() else {}
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def retry_after_seconds(response: httpx.Response, now: datetime) -> float | None:
    raw = response.headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    if raw.isdigit():
        return float(raw)
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds())


def _seconds_to_pacific_midnight(now: datetime) -> float:
    # YouTube quota resets at midnight Pacific; UTC-8 may wait an hour too long in summer, never too short.
    pacific = now.astimezone(UTC) - timedelta(hours=8)
    tomorrow = (pacific + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (tomorrow - pacific).total_seconds()


def classify(call: Call, response: httpx.Response, now: datetime) -> PlatformError | None:
    """The error a response means, by the platform's structured codes; None when it succeeded."""
    body = response_body(response)
    details: dict[str, Any] = {"platform": call.platform.value, "status_code": response.status_code}
    retry_after = retry_after_seconds(response, now)
    classifier = _CLASSIFIERS[call.dialect]
    error = classifier(
        response.status_code, body if isinstance(body, dict) else {}, retry_after, now, details
    )
    if error is not None:
        return error
    if response.status_code == 429:
        return RateLimitedError("Too many requests.", retry_after=retry_after, **details)
    if response.status_code >= 500:
        return RetryLaterError(f"The platform failed ({response.status_code}).", **details)
    if response.status_code >= 400 or body is None:
        return BadRequestError(f"Unexpected response ({response.status_code}).", **details)
    return None


def _oauth_flat(
    status: int, body: dict[str, Any], retry_after: float | None, details: dict[str, Any]
) -> PlatformError | None:
    code = body.get("error")
    if not isinstance(code, str) or not code:
        return None
    message = str(body.get("error_description") or code)
    details = details | {"platform_code": code}
    if status == 429 or code == "rate_limit_exceeded":
        return RateLimitedError(message, retry_after=retry_after, **details)
    if code in ("invalid_grant", "access_denied", "invalid_token"):
        return ReauthorizeError(message, **details)
    if code == "invalid_scope":
        return PermissionMissingError(message, **details)
    if code in ("server_error", "temporarily_unavailable") or status >= 500:
        return RetryLaterError(message, **details)
    return BadRequestError(message, **details)


def _tiktok_oauth(
    status: int, body: dict[str, Any], retry_after: float | None, _now: datetime, details: dict[str, Any]
) -> PlatformError | None:
    # OAuth errors are flat, often with HTTP 200; a throttle or outage on the same host uses the API envelope.
    if isinstance(body.get("error"), dict):
        return _tiktok_api(status, body, retry_after, _now, details)
    return _oauth_flat(status, body, retry_after, details)


def _tiktok_api(
    status: int, body: dict[str, Any], retry_after: float | None, _now: datetime, details: dict[str, Any]
) -> PlatformError | None:
    error = body.get("error")
    if not isinstance(error, dict):
        return None
    code = str(error.get("code", ""))
    if code == "ok" and status < 400:
        return None
    message = str(error.get("message") or code)
    details = details | {"platform_code": code}
    if code == "access_token_invalid":
        return AccessTokenExpiredError(message, **details)
    if code in ("scope_not_authorized", "scope_permission_missed"):
        return PermissionMissingError(message, **details)
    if code == "rate_limit_exceeded" or status == 429:
        return RateLimitedError(message, retry_after=retry_after, **details)
    if code == "internal_error" or status >= 500:
        return RetryLaterError(message, **details)
    return BadRequestError(message, **details)


def _graph(
    status: int, body: dict[str, Any], retry_after: float | None, _now: datetime, details: dict[str, Any]
) -> PlatformError | None:
    error = body.get("error")
    if not isinstance(error, dict):
        return None
    code = error.get("code")
    subcode = error.get("error_subcode")
    message = str(error.get("message") or "Graph API error")
    details = details | {
        "platform_code": str(code),
        "platform_subcode": None if subcode is None else str(subcode),
    }
    if code in GRAPH_REAUTHORIZE:
        return ReauthorizeError(message, **details)
    if code == 10 or (isinstance(code, int) and 200 <= code <= 299):
        return PermissionMissingError(message, **details)
    if code in GRAPH_THROTTLED:
        return RateLimitedError(message, retry_after=retry_after or GRAPH_DEFAULT_RETRY_AFTER, **details)
    if code in GRAPH_TRANSIENT or error.get("is_transient") is True or status >= 500:
        return RetryLaterError(message, **details)
    return BadRequestError(message, **details)


def _google_oauth(
    status: int, body: dict[str, Any], retry_after: float | None, _now: datetime, details: dict[str, Any]
) -> PlatformError | None:
    return _oauth_flat(status, body, retry_after, details)


def _google_api(
    status: int, body: dict[str, Any], retry_after: float | None, now: datetime, details: dict[str, Any]
) -> PlatformError | None:
    error = body.get("error")
    if not isinstance(error, dict):
        return None
    errors = error.get("errors")
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    reason = str(first.get("reason") or error.get("status") or "")
    message = str(error.get("message") or reason)
    details = details | {"platform_code": reason}
    if status == 401 or reason == "authError":
        return AccessTokenExpiredError(message, **details)
    if reason == "insufficientPermissions":
        return PermissionMissingError(message, **details)
    if reason == "quotaExceeded":
        return RateLimitedError(message, retry_after=_seconds_to_pacific_midnight(now), **details)
    if reason in ("rateLimitExceeded", "userRateLimitExceeded") or status == 429:
        return RateLimitedError(message, retry_after=retry_after, **details)
    if status >= 500 or reason in ("backendError", "internalError"):
        return RetryLaterError(message, **details)
    return BadRequestError(message, **details)


_Classifier = Callable[[int, dict[str, Any], float | None, datetime, dict[str, Any]], PlatformError | None]
_CLASSIFIERS: Mapping[Dialect, _Classifier] = {
    Dialect.TIKTOK_OAUTH: _tiktok_oauth,
    Dialect.TIKTOK_API: _tiktok_api,
    Dialect.GRAPH: _graph,
    Dialect.GOOGLE_OAUTH: _google_oauth,
    Dialect.GOOGLE_API: _google_api,
}
