"""The token vault on KMS (moto in-process, a real boto3 client): envelopes, bounds and rotation."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from chalicelib.security.secret import Secret
from chalicelib.security.vault import (
    ContextMismatchError,
    EnvelopeFormatError,
    TamperedEnvelopeError,
    TokenVault,
    envelope_key_arn,
    reencrypt,
)

TOKEN = Secret("act.SECRET-token-value-0123456789abcdef")


class Clock:
    """Time for the vault's ages (and the key ring's epochs), moved by the test."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class KmsCalls:
    """Counts real KMS API calls through botocore's event system (no mock in between)."""

    def __init__(self, client: Any) -> None:
        self.operations: list[str] = []
        client.meta.events.register("before-call.kms.*", self._record)

    def _record(self, model: Any, **_: Any) -> None:
        self.operations.append(model.name)


@pytest.fixture
def kms() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client(
            "kms", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
        )


@pytest.fixture
def key_arn(kms: Any) -> str:
    return str(kms.create_key(Description="tokens")["KeyMetadata"]["Arn"])


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def vault(kms: Any, key_arn: str, clock: Clock) -> TokenVault:
    return TokenVault(kms, key_arn, clock=clock, max_key_age=300, max_key_uses=500)


def decoded(envelope: str) -> dict[str, Any]:
    body = envelope.removeprefix("cdv1.")
    return dict(json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))))


def reencoded(body: dict[str, Any]) -> str:
    raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return "cdv1." + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_round_trip_returns_the_sealed_token(vault):
    envelope = vault.seal(TOKEN, "ws-1", "conn-1")

    assert vault.open(envelope, "ws-1", "conn-1").reveal() == TOKEN.reveal()


def test_a_fresh_vault_opens_what_another_sealed(kms, key_arn, vault):
    envelope = vault.seal(TOKEN, "ws-1", "conn-1")

    assert TokenVault(kms, key_arn).open(envelope, "ws-1", "conn-1").reveal() == TOKEN.reveal()


@pytest.mark.parametrize(("workspace", "connection"), [("ws-2", "conn-1"), ("ws-1", "conn-2")])
def test_opening_for_another_workspace_or_connection_fails(vault, workspace, connection):
    envelope = vault.seal(TOKEN, "ws-1", "conn-1")

    with pytest.raises(ContextMismatchError):
        vault.open(envelope, workspace, connection)


def test_a_header_edited_to_another_connection_fails_authentication(vault):
    body = decoded(vault.seal(TOKEN, "ws-1", "conn-1"))
    body["ctx"] = {"workspace_id": "ws-1", "connection_id": "conn-2"}

    with pytest.raises(TamperedEnvelopeError):
        vault.open(reencoded(body), "ws-1", "conn-2")


def test_tampered_ciphertext_fails(vault):
    body = decoded(vault.seal(TOKEN, "ws-1", "conn-1"))
    ct = bytearray(base64.urlsafe_b64decode(body["ct"] + "=" * (-len(body["ct"]) % 4)))
    ct[0] ^= 1
    body["ct"] = base64.urlsafe_b64encode(bytes(ct)).decode().rstrip("=")

    with pytest.raises(TamperedEnvelopeError):
        vault.open(reencoded(body), "ws-1", "conn-1")


def test_garbage_is_a_format_error(vault):
    with pytest.raises(EnvelopeFormatError):
        vault.open("not-an-envelope", "ws-1", "conn-1")
    with pytest.raises(EnvelopeFormatError):
        vault.open("cdv1.@@@", "ws-1", "conn-1")


def test_envelope_is_self_describing_and_holds_no_plaintext(vault, key_arn):
    envelope = vault.seal(TOKEN, "ws-1", "conn-1")
    body = decoded(envelope)

    assert body["v"] == 1
    assert body["alg"] == "AES-256-GCM"
    assert body["kid"] == key_arn
    assert body["ctx"] == {"workspace_id": "ws-1", "connection_id": "conn-1"}
    assert {"edk", "iv", "ct"} <= set(body)
    assert TOKEN.reveal() not in envelope
    raw = base64.urlsafe_b64decode(envelope[5:] + "=" * (-len(envelope[5:]) % 4))
    assert TOKEN.reveal().encode() not in raw
    for part in ("edk", "iv", "ct"):
        blob = base64.urlsafe_b64decode(body[part] + "=" * (-len(body[part]) % 4))
        assert TOKEN.reveal().encode() not in blob


def test_hundred_seals_and_opens_cost_at_most_two_kms_calls(kms, key_arn, clock):
    calls = KmsCalls(kms)
    vault = TokenVault(kms, key_arn, clock=clock)
    envelopes = [vault.seal(Secret(f"token-{i}"), "ws-1", f"conn-{i}") for i in range(100)]
    reader = TokenVault(kms, key_arn, clock=clock)

    opened = [reader.open(envelope, "ws-1", f"conn-{i}").reveal() for i, envelope in enumerate(envelopes)]

    assert opened == [f"token-{i}" for i in range(100)]
    assert calls.operations == ["GenerateDataKey", "Decrypt"]


def test_key_age_bound_forces_a_new_data_key(kms, vault, clock):
    calls = KmsCalls(kms)
    first = decoded(vault.seal(TOKEN, "ws-1", "conn-1"))
    clock.now += 299
    same = decoded(vault.seal(TOKEN, "ws-1", "conn-2"))
    clock.now += 2
    fresh = decoded(vault.seal(TOKEN, "ws-1", "conn-3"))

    assert first["edk"] == same["edk"]
    assert fresh["edk"] != first["edk"]
    assert calls.operations == ["GenerateDataKey", "GenerateDataKey"]


def test_key_use_bound_forces_a_new_data_key(kms, key_arn, clock):
    calls = KmsCalls(kms)
    vault = TokenVault(kms, key_arn, clock=clock, max_key_uses=3)

    keys = [decoded(vault.seal(TOKEN, "ws-1", f"conn-{i}"))["edk"] for i in range(7)]

    assert len(set(keys[:3])) == 1
    assert len(set(keys[3:6])) == 1
    assert keys[6] not in keys[:6]
    assert calls.operations.count("GenerateDataKey") == 3


def test_reencrypt_moves_an_envelope_to_the_new_key(kms, key_arn, vault):
    old = vault.seal(TOKEN, "ws-1", "conn-1")
    new_key = kms.create_key(Description="tokens v2")["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/creatordeck-tokens", TargetKeyId=new_key)
    rotated = TokenVault(kms, "alias/creatordeck-tokens")

    assert rotated.needs_reencrypt(old)
    moved = reencrypt(rotated, old, "ws-1", "conn-1")

    assert envelope_key_arn(moved) == new_key
    assert not rotated.needs_reencrypt(moved)
    assert rotated.open(moved, "ws-1", "conn-1").reveal() == TOKEN.reveal()
    assert reencrypt(rotated, moved, "ws-1", "conn-1") == moved
    assert vault.needs_reencrypt(moved, current_key_arn=key_arn)


def test_nothing_shows_the_token_in_repr(vault):
    envelope = vault.seal(TOKEN, "ws-1", "conn-1")
    opened = vault.open(envelope, "ws-1", "conn-1")

    for thing in (vault, opened, TOKEN, vault.__dict__, vault._current):
        assert TOKEN.reveal() not in repr(thing)
    assert "Plaintext" not in repr(vault._current)
