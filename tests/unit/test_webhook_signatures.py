"""Signed requests and webhook signatures, with vectors made here from a known secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.security.secret import Secret
from chalicelib.security.webhook_signatures import (
    SignatureError,
    verify_hub_signature,
    verify_signed_request,
    verify_tiktok_signature,
)

SECRET = Secret("app-secret-for-tests")
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
PAYLOAD = {"algorithm": "HMAC-SHA256", "issued_at": 1795000000, "user_id": "218471"}
# A user id whose payload's base64 ends in padding, so padded and unpadded forms differ.
NEEDS_PADDING = next(
    {**PAYLOAD, "user_id": "2" * digits}
    for digits in range(4, 10)
    if len(json.dumps({**PAYLOAD, "user_id": "2" * digits}).encode()) % 3
)


def b64url(raw: bytes, *, padded: bool) -> str:
    encoded = base64.urlsafe_b64encode(raw).decode()
    return encoded if padded else encoded.rstrip("=")


def sign(payload: dict[str, object], *, padded: bool = False, secret: str = "app-secret-for-tests") -> str:
    encoded_payload = b64url(json.dumps(payload).encode(), padded=padded)
    signature = hmac.new(secret.encode(), encoded_payload.encode(), hashlib.sha256).digest()
    return f"{b64url(signature, padded=padded)}.{encoded_payload}"


@pytest.mark.parametrize("padded", [False, True], ids=["unpadded", "padded"])
def test_accepts_meta_signed_requests_padded_or_not(padded: bool) -> None:
    verified = verify_signed_request(sign(NEEDS_PADDING, padded=padded), SECRET, NOW)

    assert verified.user_id == NEEDS_PADDING["user_id"]
    assert verified.issued_at == datetime.fromtimestamp(1795000000, UTC)


def test_the_hmac_covers_the_payload_segment_exactly_as_received() -> None:
    signed = sign(NEEDS_PADDING, padded=True)
    signature, payload = signed.split(".")
    assert payload.endswith("=")

    with pytest.raises(SignatureError, match="signature mismatch"):
        verify_signed_request(f"{signature}.{payload.rstrip('=')}", SECRET, NOW)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: s[:-2] + ("A" if s[-2] != "A" else "B") + s[-1],  # payload byte flipped
        lambda s: "x" + s[1:],  # signature changed
        lambda s: sign(PAYLOAD, secret="another-secret"),  # someone else's secret
    ],
    ids=["payload", "signature", "wrong-secret"],
)
def test_rejects_tampered_signed_requests(tamper: object) -> None:
    with pytest.raises(SignatureError):
        verify_signed_request(tamper(sign(PAYLOAD)), SECRET, NOW)  # type: ignore[operator]


@pytest.mark.parametrize(
    "malformed",
    ["", "no-dot-here", ".payloadonly", "signatureonly.", "***.***", "a" * 9000],
    ids=["empty", "one-segment", "no-signature", "no-payload", "not-base64", "oversized"],
)
def test_rejects_malformed_signed_requests(malformed: str) -> None:
    with pytest.raises(SignatureError):
        verify_signed_request(malformed, SECRET, NOW)


def test_rejects_an_unknown_algorithm_even_when_signed() -> None:
    with pytest.raises(SignatureError, match="unknown algorithm"):
        verify_signed_request(sign({**PAYLOAD, "algorithm": "HMAC-SHA1"}), SECRET, NOW)


def test_algorithm_name_is_matched_without_case() -> None:
    assert (
        verify_signed_request(sign({**PAYLOAD, "algorithm": "hmac-sha256"}), SECRET, NOW).user_id == "218471"
    )


def test_rejects_an_expired_signed_request() -> None:
    expired = {**PAYLOAD, "expires": int((NOW - timedelta(minutes=1)).timestamp())}

    with pytest.raises(SignatureError, match="expired"):
        verify_signed_request(sign(expired), SECRET, NOW)


def test_rejects_a_signed_request_without_a_user() -> None:
    with pytest.raises(SignatureError, match="no user_id"):
        verify_signed_request(sign({"algorithm": "HMAC-SHA256", "issued_at": 1}), SECRET, NOW)


def tiktok_header(body: bytes, at: datetime, secret: str = "app-secret-for-tests") -> str:
    timestamp = str(int(at.timestamp()))
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},s={digest}"


BODY = (
    b'{"client_key":"ck","event":"authorization.removed","create_time":1795000000,'
    b'"content":"{\\"reason\\":1}"}'
)


def test_accepts_a_fresh_tiktok_signature() -> None:
    assert verify_tiktok_signature(BODY, tiktok_header(BODY, NOW), SECRET, NOW) == NOW


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "malformed"),
        ("t=abc,s=00", "malformed"),
        (tiktok_header(BODY + b" ", NOW), "signature mismatch"),
        (tiktok_header(BODY, NOW, secret="other"), "signature mismatch"),
        (tiktok_header(BODY, NOW - timedelta(minutes=6)), "stale"),
        (tiktok_header(BODY, NOW + timedelta(minutes=6)), "stale"),
    ],
    ids=["missing", "malformed", "body-changed", "wrong-secret", "too-old", "from-the-future"],
)
def test_rejects_bad_tiktok_signatures(header: str | None, reason: str) -> None:
    with pytest.raises(SignatureError, match=reason):
        verify_tiktok_signature(BODY, header, SECRET, NOW)


def test_meta_webhook_signature_is_over_the_raw_body() -> None:
    raw = b'{"object":"instagram","entry":[{"id":"1","changes":[{"value":"\\u00e4"}]}]}'
    header = "sha256=" + hmac.new(b"app-secret-for-tests", raw, hashlib.sha256).hexdigest()

    verify_hub_signature(raw, header, SECRET)
    with pytest.raises(SignatureError):
        verify_hub_signature(
            json.dumps(json.loads(raw)).encode(), header, SECRET
        )  # re-serialised: different bytes
    with pytest.raises(SignatureError):
        verify_hub_signature(raw, "sha1=abc", SECRET)


def test_with_a_max_age_a_request_must_be_issued_within_it() -> None:
    issued = int(NOW.timestamp())
    window = timedelta(hours=73)
    fresh = sign({**PAYLOAD, "issued_at": issued - 3600})
    assert verify_signed_request(fresh, SECRET, NOW, max_age=window).user_id == PAYLOAD["user_id"]

    cases: list[tuple[dict[str, object], str]] = [
        ({**PAYLOAD, "issued_at": issued - 74 * 3600}, "outside the accepted window"),
        ({**PAYLOAD, "issued_at": issued + 3600}, "outside the accepted window"),
        ({"algorithm": "HMAC-SHA256", "user_id": "218471"}, "no issued_at"),
        ({**PAYLOAD, "issued_at": 10**20}, "out of range"),
    ]
    for payload, reason in cases:
        with pytest.raises(SignatureError, match=reason):
            verify_signed_request(sign(payload), SECRET, NOW, max_age=window)


def test_without_a_max_age_the_issue_time_is_only_reported() -> None:
    assert verify_signed_request(sign(PAYLOAD), SECRET, NOW).issued_at == datetime.fromtimestamp(
        1795000000, UTC
    )
