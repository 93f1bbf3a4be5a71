from __future__ import annotations

import pytest

from chalicelib.observability import MASK, redact, redact_text

SECRETS = {
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXZhbHVl",
    "tiktok": "act.example1234567890abcdefghijklmnopqrstuvwx!1234.va",
    "google": "ya29.a0AfH6SMBexampletoken-value_123",
    "google_refresh": "1//0gExampleRefreshToken_abc-DEF",
    "meta": "EAAGm0PX4ZCpsBAExampleTokenValue12345",
    "random": "Zx9vQ2b7Kp4LmN8rT1wY6hJ3sD5fG0aE2cV4bN7mQ9kR",
}


@pytest.mark.parametrize("secret", SECRETS.values(), ids=SECRETS.keys())
def test_token_shaped_values_are_masked_inside_free_text(secret: str) -> None:
    assert secret not in redact_text(f"calling platform with {secret} now")


def test_bearer_credentials_and_query_secrets_are_masked_but_their_names_kept() -> None:
    text = redact_text("Authorization: Bearer abc.def-123 then /cb?code=xyz789&state=ok")

    assert text == f"Authorization: Bearer {MASK} then /cb?code={MASK}&state=ok"


def test_secret_named_fields_are_masked_at_any_depth() -> None:
    record = {"user": {"password": "hunter2hunter2", "email": "a@example.com"}, "refresh_token": "r1"}

    assert redact(record) == {"user": {"password": MASK, "email": "a@example.com"}, "refresh_token": MASK}


def test_request_ids_error_codes_and_arns_stay_readable() -> None:
    record = {
        "correlation_id": "5f0c7e8e-1d2b-4c3d-9e8f-0a1b2c3d4e5f",
        "error_code": "validation_failed",
        "key": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    }

    assert redact(record) == record
