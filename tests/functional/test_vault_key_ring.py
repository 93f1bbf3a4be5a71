"""The vault's shared key ring (moto KMS and DynamoDB in-process): one data key per epoch, every container.

Each ``TokenVault`` built here stands for one Lambda container: its own KMS client, its own caches,
the ring item in the connections table shared with every other. KMS calls are counted through
botocore's event system, with no mock in between.
"""

from __future__ import annotations

import base64
import json
import threading
from typing import Any

import boto3
import pytest

from chalicelib.security.secret import Secret
from chalicelib.security.vault import KeyRing, RingKey, TokenVault, envelope_key_arn
from chalicelib.settings import Settings
from chalicelib.storage.vault_keys import PARTITION, RingKeyItem, VaultKeyRing
from tests.functional.test_token_vault import Clock, KmsCalls

DAY = 86_400
MIDNIGHT = 1_790_380_800.0  # 2026-09-26T00:00:00Z, the start of a daily epoch


class Containers:
    """Vaults as separate containers would build them: each its own KMS client, one shared ring table."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.calls: list[str] = []

    def start(self, store: VaultKeyRing | None = None, **bounds: Any) -> TokenVault:
        kms = boto3.client("kms", region_name=self.settings.aws_region)
        kms.meta.events.register("before-call.kms.*", lambda model, **_: self.calls.append(model.name))
        ring = KeyRing(store or VaultKeyRing(), epoch_seconds=DAY, clock=self.clock)
        return TokenVault(kms, self.settings.token_key_id, ring=ring, clock=self.clock, **bounds)


class ReadsTogether(VaultKeyRing):
    """The real ring, whose first two reads return only once both were made: both find no key."""

    def __init__(self) -> None:
        self._both_read = threading.Barrier(2)
        self._reads = 0

    def get(self, epoch_start: int) -> RingKey | None:
        found = super().get(epoch_start)
        self._reads += 1
        if self._reads <= 2:
            self._both_read.wait(timeout=10)
        return found


@pytest.fixture
def containers(aws: Settings) -> Containers:
    return Containers(aws, Clock(MIDNIGHT + 3600))


def data_key_of(envelope: str) -> str:
    body = envelope.removeprefix("cdv1.")
    return str(json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))["edk"])


def sweep(vault: TokenVault, sealed: dict[str, str]) -> None:
    """What a refresh sweep does to the vault: open each connection's token, seal the new one."""
    for connection_id, envelope in sealed.items():
        token = vault.open(envelope, "ws-1", connection_id)
        vault.seal(Secret(token.reveal() + "-renewed"), "ws-1", connection_id)


def test_hundred_connections_sealed_by_ten_containers_in_one_epoch_cost_a_fresh_sweep_at_most_two_kms_calls(
    containers: Containers,
) -> None:
    # GIVEN 10 containers, started minutes apart within one day, each sealing 10 connections
    sealed: dict[str, str] = {}
    for container in range(10):
        vault = containers.start()
        for n in range(10):
            connection_id = f"conn-{container}-{n}"
            sealed[connection_id] = vault.seal(Secret(f"token-{connection_id}"), "ws-1", connection_id)
        containers.clock.now += 20 * 60  # past the 5 minutes a container's own key would live

    sealing = list(containers.calls)

    # WHEN a fresh container refreshes all 100
    fresh = containers.start()
    counted = KmsCalls(fresh._kms)
    sweep(fresh, sealed)

    # THEN all 100 were sealed under one data key, and the sweep cost at most two KMS calls
    assert len({data_key_of(envelope) for envelope in sealed.values()}) == 1
    assert len(counted.operations) <= 2, counted.operations
    # AND the 10 containers together generated one data key, the other 9 unwrapped it once each
    assert sorted(sealing) == ["Decrypt"] * 9 + ["GenerateDataKey"]


@pytest.mark.parametrize("epochs", [1, 3, 5])
def test_a_fresh_sweep_costs_at_most_one_kms_call_per_epoch_met_plus_one(
    containers: Containers, epochs: int
) -> None:
    # GIVEN 100 connections sealed over several days by several containers a day (API, workers, sweeps)
    sealed: dict[str, str] = {}
    per_epoch = 100 // epochs + 1
    for day in range(epochs):
        containers.clock.now = MIDNIGHT + day * DAY + 600
        vaults = [containers.start() for _ in range(4)]
        for n in range(per_epoch):
            if len(sealed) == 100:
                break
            connection_id = f"conn-{day}-{n}"
            sealed[connection_id] = vaults[n % 4].seal(
                Secret(f"token-{connection_id}"), "ws-1", connection_id
            )
            containers.clock.now += 300
    assert len(sealed) == 100

    # WHEN a fresh container, on a later day, refreshes them all
    containers.clock.now = MIDNIGHT + (epochs + 2) * DAY + 60
    fresh = containers.start()
    counted = KmsCalls(fresh._kms)
    sweep(fresh, sealed)

    # THEN one Decrypt per epoch met and one GenerateDataKey for today's shared key
    assert len({data_key_of(envelope) for envelope in sealed.values()}) == epochs
    assert len(counted.operations) <= epochs + 1, counted.operations
    assert counted.operations.count("GenerateDataKey") <= 1


def test_containers_racing_to_create_the_epochs_key_end_up_sealing_under_the_same_one(
    containers: Containers,
) -> None:
    # GIVEN two containers that both find no key for the new epoch and generate one at the same time
    store = ReadsTogether()
    first, second = containers.start(store), containers.start(store)
    envelopes: dict[str, str] = {}

    def seal(name: str, vault: TokenVault) -> None:
        envelopes[name] = vault.seal(Secret(f"token-{name}"), "ws-1", name)

    threads = [threading.Thread(target=seal, args=(n, v)) for n, v in (("a", first), ("b", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # THEN both sealed under the one key stored, at the cost of one wasted GenerateDataKey
    assert data_key_of(envelopes["a"]) == data_key_of(envelopes["b"])
    assert containers.calls.count("GenerateDataKey") == 2
    assert containers.calls.count("Decrypt") == 1  # the loser unwraps the winner's key
    items = list(RingKeyItem.query(PARTITION))
    assert len(items) == 1
    assert base64.b64decode(items[0].wrapped_key) == base64.urlsafe_b64decode(
        data_key_of(envelopes["a"]) + "=" * (-len(data_key_of(envelopes["a"])) % 4)
    )
    # AND later seals in either container stay on it, with no KMS call
    before = len(containers.calls)
    again = [first.seal(Secret("x"), "ws-1", "c"), second.seal(Secret("y"), "ws-1", "d")]
    assert {data_key_of(e) for e in again} == {data_key_of(envelopes["a"])}
    assert len(containers.calls) == before


def test_a_new_epoch_brings_a_new_shared_key_and_the_ring_item_expires_after_it(
    containers: Containers,
) -> None:
    vault = containers.start()
    today = vault.seal(Secret("t"), "ws-1", "c1")
    containers.clock.now += DAY

    tomorrow = vault.seal(Secret("t"), "ws-1", "c2")

    assert data_key_of(today) != data_key_of(tomorrow)
    items = {item.epoch_start: item for item in RingKeyItem.query(PARTITION)}
    assert sorted(items) == [int(MIDNIGHT), int(MIDNIGHT) + DAY]
    for start, item in items.items():
        assert item.expires_at is not None
        assert start + DAY < item.expires_at.timestamp() <= start + DAY + 2 * 3600
        assert item.key_arn == envelope_key_arn(today)
    # AND what was sealed yesterday still opens, in any container
    assert containers.start().open(today, "ws-1", "c1").reveal() == "t"


def test_a_container_past_the_use_bound_seals_under_its_own_keys_for_the_rest_of_the_epoch(
    containers: Containers,
) -> None:
    busy = containers.start(max_key_uses=3)
    shared = [data_key_of(busy.seal(Secret("t"), "ws-1", f"c{n}")) for n in range(3)]

    own = [data_key_of(busy.seal(Secret("t"), "ws-1", f"d{n}")) for n in range(4)]
    other = data_key_of(containers.start().seal(Secret("t"), "ws-1", "e"))

    assert len(set(shared)) == 1
    assert shared[0] not in own
    assert len(set(own[:3])) == 1  # its own keys keep today's bounds
    assert own[3] != own[0]
    assert other == shared[0]  # the other containers keep the shared key
    # AND the next epoch it is back on the shared key
    containers.clock.now += DAY
    assert data_key_of(busy.seal(Secret("t"), "ws-1", "f")) == data_key_of(
        containers.start().seal(Secret("t"), "ws-1", "g")
    )


def test_after_the_token_key_moves_the_reseal_replaces_the_shared_key_and_containers_follow(
    containers: Containers,
) -> None:
    # GIVEN a container sealing under today's shared key, wrapped by key A
    settings = containers.settings
    worker = containers.start()
    before = worker.seal(Secret("t"), "ws-1", "c1")
    kms = boto3.client("kms", region_name=settings.aws_region)
    key_b = kms.create_key(Description="tokens v2")["KeyMetadata"]["Arn"]
    kms.update_alias(AliasName=settings.token_key_id, TargetKeyId=key_b)

    # WHEN the operator's command (a fresh vault) adopts the current key
    operator = containers.start()
    assert operator.adopt_current_key() is True
    assert operator.adopt_current_key() is False  # already current: nothing to do

    # THEN the ring now holds a key under B; the worker follows once it reads the ring again
    assert envelope_key_arn(operator.seal(Secret("t"), "ws-1", "c2")) == key_b
    containers.clock.now += 301
    after = worker.seal(Secret("t"), "ws-1", "c3")
    assert envelope_key_arn(after) == key_b
    assert envelope_key_arn(before) != key_b
    assert containers.start().open(after, "ws-1", "c3").reveal() == "t"


def test_a_vault_without_a_ring_keeps_its_own_keys(containers: Containers) -> None:
    kms = boto3.client("kms", region_name=containers.settings.aws_region)
    lone = TokenVault(kms, containers.settings.token_key_id, clock=containers.clock)

    envelope = lone.seal(Secret("t"), "ws-1", "c1")

    assert lone.adopt_current_key() is False
    assert list(RingKeyItem.query(PARTITION)) == []
    assert containers.start().open(envelope, "ws-1", "c1").reveal() == "t"
