"""The token vault's key ring: each epoch's shared data key, KMS-wrapped (table ``connections``).

========  =============  ======================  ==================================================
item      pk             sk                      attributes
========  =============  ======================  ==================================================
ring key  VAULT#KEYRING  EPOCH#<start, ISO UTC>  epoch_start, key_arn, wrapped_key, expires_at
========  =============  ======================  ==================================================

``wrapped_key`` is KMS's CiphertextBlob (base64): only KMS, with the token key, can unwrap it. The item
is needed only while its epoch seals (every envelope carries its own wrapped key), so its TTL is the
epoch's end plus an hour's grace.

Access patterns: the current epoch's key (GetItem, consistent: a container that lost the race to add
it must see the winner's); the epoch's first container adds it (PutItem if absent); an operator's
re-seal after a change of token key replaces it (PutItem conditioned on the wrapped key it read).
Reads do not filter on ``expires_at``: the epoch in the key decides which item is asked for, and an
item of the current epoch cannot have expired.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.security.vault import RingKey, VaultError
from chalicelib.storage.base import is_conditional_failure
from chalicelib.storage.models import ConnectionsTable

__all__ = ["VaultKeyRing"]

PARTITION = "VAULT#KEYRING"


class RingKeyItem(ConnectionsTable):
    """One epoch's shared data key (see the module docstring)."""

    epoch_start = NumberAttribute()
    key_arn = UnicodeAttribute()
    wrapped_key = UnicodeAttribute()


def _sort_key(epoch_start: int) -> str:
    return "EPOCH#" + datetime.fromtimestamp(epoch_start, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _item(key: RingKey, expires_at: int) -> RingKeyItem:
    return RingKeyItem(
        PARTITION,
        _sort_key(key.epoch_start),
        epoch_start=key.epoch_start,
        key_arn=key.key_arn,
        wrapped_key=base64.b64encode(key.wrapped).decode(),
        expires_at=datetime.fromtimestamp(expires_at, UTC),
    )


class VaultKeyRing:
    """The vault's ``KeyRingStore`` on DynamoDB."""

    def get(self, epoch_start: int) -> RingKey | None:
        try:
            item = RingKeyItem.get(PARTITION, _sort_key(epoch_start), consistent_read=True)
        except DoesNotExist:
            return None
        return RingKey(int(item.epoch_start), item.key_arn, base64.b64decode(item.wrapped_key))

    def add(self, key: RingKey, expires_at: int) -> RingKey:
        try:
            _item(key, expires_at).save(condition=RingKeyItem.pk.does_not_exist())
        except PutError as exc:
            if not is_conditional_failure(exc):
                raise
            return self._stored(key.epoch_start)
        return key

    def replace(self, stored: RingKey, key: RingKey, expires_at: int) -> RingKey:
        try:
            _item(key, expires_at).save(
                condition=RingKeyItem.wrapped_key == base64.b64encode(stored.wrapped).decode()
            )
        except PutError as exc:
            if not is_conditional_failure(exc):
                raise
            return self._stored(key.epoch_start)
        return key

    def _stored(self, epoch_start: int) -> RingKey:
        winner = self.get(epoch_start)
        if winner is None:  # only if the item was deleted between the refused put and this read
            raise VaultError("The vault's key ring item vanished during a conditional put; try again.")
        return winner
