"""``creatordeck tokens reencrypt``: every connection's tokens re-sealed under the key now current.

Real parts: connections saved by the repository with tokens sealed by the vault under key A (moto
KMS), the token key alias moved to key B, the operator command run as an operator runs it.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from chalicelib import bootstrap, cli
from chalicelib.domain.connections import Connection, ConnectionStatus, SealedTokens
from chalicelib.domain.platforms import Platform
from chalicelib.security.secret import Secret
from chalicelib.security.tokens import new_id
from chalicelib.security.vault import TokenVault, envelope_key_arn
from chalicelib.settings import Settings
from chalicelib.storage.connections import ConnectionsRepository
from chalicelib.storage.disconnections import Disconnections
from chalicelib.storage.token_reseal import TokenEnvelopes

CONNECTIONS = 60


class KmsCalls:
    def __init__(self, client: Any) -> None:
        self.calls: list[tuple[str, str]] = []
        client.meta.events.register("before-parameter-build.kms.*", self._record)

    def _record(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.calls.append((model.name, str(params.get("KeyId", ""))))

    def count(self) -> Counter[str]:
        return Counter(name for name, _ in self.calls)


def kms_client(settings: Settings) -> Any:
    return boto3.client("kms", region_name=settings.aws_region)


def seal_connections(settings: Settings) -> dict[str, tuple[Connection, str, str | None]]:
    """``CONNECTIONS`` connections sealed under the current key; every third has no refresh token."""
    vault = TokenVault(kms_client(settings), settings.token_key_id)
    store = ConnectionsRepository()
    now = datetime.now(UTC)
    sealed: dict[str, tuple[Connection, str, str | None]] = {}
    for n in range(CONNECTIONS):
        workspace_id, connection_id = f"ws-{n % 7}", new_id()
        access, refresh = (
            f"access-token-{n}-{new_id()}",
            (None if n % 3 == 0 else f"refresh-token-{n}-{new_id()}"),
        )
        connection = Connection(
            id=connection_id,
            workspace_id=workspace_id,
            platform=Platform.TIKTOK,
            account_id=f"account-{n}",
            account_name=f"creator{n}",
            owner_member_id="member-1",
            status=ConnectionStatus.ACTIVE,
            scopes=frozenset({"user.info.basic"}),
            missing_scopes=frozenset(),
            platform_user_id=f"open-{n}",
            connected_at=now,
        )
        tokens = SealedTokens(
            access=vault.seal(Secret(access), workspace_id, connection_id),
            expires_at=now + timedelta(hours=24),
            scopes=connection.scopes,
            user_id=connection.platform_user_id,
            refresh=vault.seal(Secret(refresh), workspace_id, connection_id) if refresh else None,
            refresh_expires_at=now + timedelta(days=365) if refresh else None,
        )
        store.save_connection(connection, tokens, None)
        sealed[connection_id] = (connection, access, refresh)
    return sealed


def envelopes_in_table(settings: Settings) -> dict[str, list[str]]:
    """Every envelope stored in the connections table, read raw, by connection id."""
    dynamodb = boto3.client("dynamodb", region_name=settings.aws_region)
    found: dict[str, list[str]] = {}
    for page in dynamodb.get_paginator("scan").paginate(TableName=settings.table_name("connections")):
        for item in page["Items"]:
            envelopes = [item[a]["S"] for a in ("access_envelope", "refresh_envelope") if a in item]
            if "connection_id" in item and "access_envelope" in item:
                found[item["connection_id"]["S"]] = [e for e in envelopes if e]
    return found


def move_token_key(settings: Settings) -> tuple[str, str]:
    """Points the token key alias at a new key (the key change); returns (old ARN, new ARN)."""
    kms = kms_client(settings)
    old = kms.describe_key(KeyId=settings.token_key_id)["KeyMetadata"]["Arn"]
    new = kms.create_key(Description="tokens v2")["KeyMetadata"]["Arn"]
    kms.update_alias(AliasName=settings.token_key_id, TargetKeyId=new)
    bootstrap.reset()
    return str(old), str(new)


def run_command(
    capsys: pytest.CaptureFixture[str], *arguments: str
) -> tuple[int, str, Counter[str], KmsCalls]:
    calls = KmsCalls(bootstrap.services().aws.client("kms"))
    code = cli.main(["tokens", "reencrypt", *arguments])
    out = capsys.readouterr()
    return code, out.out + out.err, calls.count(), calls


def test_every_token_is_resealed_under_the_new_key_with_a_bounded_number_of_kms_calls(
    aws: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN connections sealed under key A, and one whose tokens were deleted (app removed)
    sealed = seal_connections(aws)
    gone = next(iter(sealed.values()))[0]
    Disconnections().mark_disconnected(gone, "app_removed")
    key_a, key_b = move_token_key(aws)
    before = envelopes_in_table(aws)

    # WHEN an operator checks first (--dry-run), then runs the command
    dry_code, dry_out, _, _ = run_command(capsys, "--dry-run")
    assert envelopes_in_table(aws) == before
    code, out, kms_calls, calls = run_command(capsys)

    # THEN the dry run changed nothing and counted what was to do; the run re-sealed it all
    assert dry_code == 0
    assert f"to reseal {CONNECTIONS - 1}" in dry_out
    assert code == 0, out
    assert f"{CONNECTIONS}/{CONNECTIONS} done" in out
    assert f"resealed {CONNECTIONS - 1}" in out
    assert "without tokens 1" in out
    # AND every stored envelope names key B; none is left that needs key A
    after = envelopes_in_table(aws)
    assert len(after) == CONNECTIONS
    assert {envelope_key_arn(e) for envelopes in after.values() for e in envelopes} == {key_b}
    # AND KMS was called O(1) times: one DescribeKey, one Decrypt per old data key, one GenerateDataKey
    assert kms_calls == Counter({"DescribeKey": 1, "Decrypt": 1, "GenerateDataKey": 1}), calls.calls
    # AND every token opens under B, and only B is asked for (a fresh vault, no cache)
    reader_kms = kms_client(aws)
    reader_calls = KmsCalls(reader_kms)
    reader = TokenVault(reader_kms, aws.token_key_id)
    for connection_id, (connection, access, refresh) in sealed.items():
        if connection_id == gone.id:
            assert after[connection_id] == []
            continue
        envelopes = after[connection_id]
        assert reader.open(envelopes[0], connection.workspace_id, connection_id).reveal() == access
        if refresh is not None:
            assert reader.open(envelopes[1], connection.workspace_id, connection_id).reveal() == refresh
        else:
            assert len(envelopes) == 1
    assert {key for name, key in reader_calls.calls if name == "Decrypt"} == {key_b}
    # AND no token, nor envelope, was printed
    for _, access, refresh in sealed.values():
        assert access not in out
        assert refresh is None or refresh not in out
    assert not any(e[:40] in out for envelopes in after.values() for e in envelopes)
    assert key_a != key_b

    # WHEN it runs again (or resumes after an interruption): nothing changes, no key is used
    again_code, again_out, again_calls, _ = run_command(capsys)
    assert again_code == 0
    assert f"already current {CONNECTIONS - 1}" in again_out
    assert envelopes_in_table(aws) == after
    assert again_calls == Counter({"DescribeKey": 1})


def test_a_refresh_saved_between_read_and_write_is_never_overwritten(
    aws: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a connection sealed under key A, read for re-sealing after the key moved to B
    sealed = seal_connections(aws)
    connection, _, _ = next(iter(sealed.values()))
    move_token_key(aws)
    envelopes = TokenEnvelopes()
    read = envelopes.load(connection.workspace_id, connection.id)
    assert read is not None

    # WHEN a refresh saves newer tokens before the re-seal writes
    store = ConnectionsRepository()
    vault = TokenVault(kms_client(aws), aws.token_key_id)
    loaded = store.get_connection(connection.workspace_id, connection.id)
    assert loaded is not None
    newer = SealedTokens(
        access=vault.seal(Secret("newer-access"), connection.workspace_id, connection.id),
        expires_at=loaded[1].expires_at,
        scopes=loaded[1].scopes,
        user_id=loaded[1].user_id,
        refresh=vault.seal(Secret("newer-refresh"), connection.workspace_id, connection.id),
        refresh_expires_at=loaded[1].refresh_expires_at,
    )
    assert store.replace_tokens(
        loaded[0], newer, loaded[0].token_version, store.due_key(connection.workspace_id, connection.id)
    )
    stale_write = envelopes.replace(read, "cdv1.stale", None)

    # THEN the re-seal's write is refused and the refreshed tokens stay
    assert stale_write is False
    now_stored = store.get_connection(connection.workspace_id, connection.id)
    assert now_stored is not None
    assert vault.open(now_stored[1].access, connection.workspace_id, connection.id).reveal() == "newer-access"
    # AND the command, run now, finds them already under the current key (the refresher used B)
    code, out, _, _ = run_command(capsys)
    assert code == 0
    assert "already current 1" in out


def test_the_command_moves_the_functions_shared_data_key_to_the_new_key(
    aws: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a function that sealed today under the key ring's shared data key, wrapped by key A
    sealed = seal_connections(aws)
    function = bootstrap.build_vault(aws, bootstrap.AwsClients(aws))
    connection, _, _ = next(iter(sealed.values()))
    function.seal(Secret("today"), connection.workspace_id, connection.id)
    _, key_b = move_token_key(aws)

    # WHEN the operator runs the command
    code, out, kms_calls, _ = run_command(capsys)

    # THEN the shared data key was replaced by one under B, and a function starting now seals under B
    assert code == 0, out
    assert "The shared data key of this epoch now comes from the current key" in out
    assert kms_calls == Counter({"DescribeKey": 1, "Decrypt": 1, "GenerateDataKey": 1}), kms_calls
    restarted = bootstrap.build_vault(aws, bootstrap.AwsClients(aws))
    assert envelope_key_arn(restarted.seal(Secret("later"), connection.workspace_id, connection.id)) == key_b
