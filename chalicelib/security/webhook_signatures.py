"""Verifying what Meta and TikTok send us: signed requests and webhook signatures.

Every check compares in constant time and hashes the bytes exactly as received:
Meta's ``signed_request`` payload segment (padded or not), TikTok's ``t + "." + raw
body``, Meta's raw webhook body. A failure raises ``SignatureError`` with a reason for
our logs; the HTTP answer stays generic so it teaches an attacker nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from chalicelib.security.secret import Secret

SIGNED_REQUEST_ALGORITHM: Final = "HMAC-SHA256"
TIKTOK_TOLERANCE: Final = timedelta(minutes=5)
# How far ahead of our clock a sender's clock may run.
CLOCK_SKEW: Final = timedelta(minutes=5)
MAX_SIGNED_REQUEST_BYTES: Final = 8192


class SignatureError(Exception):
    """Not signed by who it claims, malformed, or stale. ``reason`` is for logs only."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SignedRequest:
    user_id: str
    issued_at: datetime | None
    expires_at: datetime | None
    payload: dict[str, Any]


def verify_signed_request(
    signed_request: str, app_secret: Secret, now: datetime | None = None, max_age: timedelta | None = None
) -> SignedRequest:
    """Meta's ``base64url(sig).base64url(payload)``, HMAC-SHA256 of the payload segment as received.

    ``max_age``: the request must say when it was issued (``issued_at``), no longer ago than this
    and not ahead of our clock by more than the skew. A callback replayed after its replay marker
    has expired is then refused, rather than taken as a new removal of a since-reconnected account.
    """
    if not signed_request or len(signed_request) > MAX_SIGNED_REQUEST_BYTES:
        raise SignatureError("missing or oversized signed_request")
    encoded_signature, dot, encoded_payload = signed_request.partition(".")
    if not dot or not encoded_signature or not encoded_payload:
        raise SignatureError("signed_request is not two segments")
    signature = _b64url_decode(encoded_signature)
    expected = hmac.new(app_secret.reveal().encode(), encoded_payload.encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(signature, expected):
        raise SignatureError("signature mismatch")
    try:
        payload = json.loads(_b64url_decode(encoded_payload))
    except ValueError:
        raise SignatureError("payload is not JSON") from None
    if not isinstance(payload, dict):
        raise SignatureError("payload is not an object")
    if str(payload.get("algorithm", "")).upper() != SIGNED_REQUEST_ALGORITHM:
        raise SignatureError("unknown algorithm")
    user_id = payload.get("user_id")
    if not isinstance(user_id, str | int) or (str(user_id) in ("", "0") and "profile_id" not in payload):
        raise SignatureError("no user_id")
    moment = now or datetime.now(UTC)
    expires_at = _timestamp(payload.get("expires"))
    if expires_at is not None and expires_at < moment:
        raise SignatureError("expired")
    issued_at = _timestamp(payload.get("issued_at"))
    if max_age is not None:
        if issued_at is None:
            raise SignatureError("no issued_at")
        if issued_at < moment - max_age or issued_at > moment + CLOCK_SKEW:
            raise SignatureError("issued_at outside the accepted window")
    return SignedRequest(str(user_id), issued_at, expires_at, payload)


def verify_tiktok_signature(
    raw_body: bytes, header: str | None, client_secret: Secret, now: datetime | None = None
) -> datetime:
    """``TikTok-Signature: t=<unix>,s=<hex>`` over ``t + "." + raw body``; returns the signing time."""
    parts = dict(part.split("=", 1) for part in (header or "").split(",") if "=" in part)
    timestamp, signature = parts.get("t", "").strip(), parts.get("s", "").strip().lower()
    if not timestamp.isdigit() or len(signature) != 64:
        raise SignatureError("malformed TikTok-Signature header")
    expected = hmac.new(
        client_secret.reveal().encode(), timestamp.encode() + b"." + raw_body, hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise SignatureError("signature mismatch")
    signed_at = datetime.fromtimestamp(int(timestamp), UTC)
    if abs((now or datetime.now(UTC)) - signed_at) > TIKTOK_TOLERANCE:
        raise SignatureError("stale timestamp")
    return signed_at


def verify_hub_signature(raw_body: bytes, header: str | None, app_secret: Secret) -> None:
    """Meta webhooks: ``X-Hub-Signature-256: sha256=<hex HMAC of the raw body>``."""
    scheme, _, signature = (header or "").partition("=")
    if scheme.strip().lower() != "sha256" or len(signature.strip()) != 64:
        raise SignatureError("malformed X-Hub-Signature-256 header")
    expected = hmac.new(app_secret.reveal().encode(), raw_body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise SignatureError("signature mismatch")


def _b64url_decode(segment: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise SignatureError("not base64url") from None


def _timestamp(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            raise SignatureError("timestamp out of range") from None
    return None
