"""The token vault: platform tokens sealed with envelope encryption (KMS data key + AES-256-GCM).

What is bound where, honestly:

* **KMS** wraps a 256-bit data key under the CMK. Its encryption context is the *vault's* context
  (``{"purpose": "creatordeck-token-vault"}``), not a connection's, because one data key is reused for
  many connections: that reuse is what makes sealing or refreshing N connections cost O(1) KMS calls
  instead of O(N). The KMS context still shows up in CloudTrail and lets a key policy refuse any other
  use of the CMK's data keys.
* **AES-256-GCM** binds each token to its place: the associated data is the canonical JSON of the
  envelope header (format version, algorithm, CMK ARN, KMS context and ``{"workspace_id",
  "connection_id"}``). A ciphertext copied to another connection or workspace, or a header edited to
  match, fails authentication. ``open`` first compares the stored context with the caller's to give a
  clear :class:`ContextMismatchError`; the tag check is what actually enforces it.

Which data key seals, honestly:

* **With a key ring** (every deployed function; ``bootstrap.build_vault``): time is cut into epochs
  of ``CREATORDECK_VAULT_EPOCH_HOURS`` (24 by default) and every container seals under the epoch's one
  shared data key. Its KMS-wrapped form lives in DynamoDB (storage/vault_keys.py, ``VAULT#KEYRING`` /
  ``EPOCH#<start>``); the first container of an epoch generates it and puts it only if absent, and a
  container that lost that race reads the winner's and unwraps it (one wasted ``GenerateDataKey``). A
  container keeps the unwrapped key in memory for the epoch and reads the item again every
  ``max_key_age`` seconds (a GetItem, no KMS call unless it changed: see ``adopt_current_key``). So
  the envelopes in the table are sealed under one data key per epoch, whichever API container,
  worker or sweep sealed them, and opening N of them costs one KMS ``Decrypt`` per epoch met.
  ``max_key_uses`` still bounds one container's seals per epoch; past it, that container seals under
  its own keys until the epoch ends, as without a ring.
* **Without a ring** (unit tests, a bare vault): each vault generates its own data key and uses it for
  at most ``max_key_age`` seconds and ``max_key_uses`` seals.

Opening caches unwrapped data keys (LRU of ``cache_size``, each for ``cache_ttl`` seconds; the keys
this vault seals with are always at hand). Tokens are re-sealed at least every ~60 days (Meta's
long-lived tokens), so a sweep meets at most ~60 daily epochs; 128 entries cover them with room.

The cost of reuse is the blast radius: a leaked data key exposes the tokens sealed in its epoch by
every container (at most one epoch of connects and refreshes, 24 hours by default), never more; a
leaked ring item is useless without ``kms:Decrypt`` on the CMK, which only our functions' roles and
the operators have. We accept that in exchange for O(1) KMS calls per sweep or ingest batch: without
it, the tokens in the table sit under thousands of data keys (one per container per 5 minutes), and
opening N connections costs up to N ``Decrypt`` calls. A suspected leak is answered like a key
change: ``creatordeck tokens reencrypt`` (docs/deploy.md §9).

Envelope (a ``str`` for a DynamoDB string attribute): ``cdv1.`` + base64url of JSON
``{"v", "alg", "kid", "kctx", "ctx", "edk", "iv", "ct"}`` where ``edk`` is KMS's CiphertextBlob, ``iv``
the 96-bit GCM nonce and ``ct`` ciphertext with its 128-bit tag. Only this string reaches DynamoDB.

Key rotation: KMS automatic rotation keeps the CMK ARN and needs nothing from us. Moving to another
CMK (the alias repointed) is ``needs_reencrypt(envelope, vault.current_key_arn())`` then
``reencrypt(vault, envelope, ...)``, which opens with whatever key the envelope names and seals with
this vault's key (still O(1) KMS calls for a whole table thanks to both caches). With a ring, the
command first calls ``adopt_current_key``: the epoch's shared key, still wrapped by the old CMK, is
replaced by one under the new CMK (a conditional put), so every container follows within
``max_key_age``; a second run catches what they sealed before that.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from chalicelib.security.secret import Secret

__all__ = [
    "ContextMismatchError",
    "EnvelopeFormatError",
    "KeyRing",
    "KeyRingStore",
    "RingKey",
    "TamperedEnvelopeError",
    "TokenVault",
    "VaultError",
    "envelope_key_arn",
    "reencrypt",
]

PREFIX: Final = "cdv1."
VERSION: Final = 1
ALGORITHM: Final = "AES-256-GCM"
KMS_CONTEXT: Final[Mapping[str, str]] = {"purpose": "creatordeck-token-vault"}
NONCE_BYTES: Final = 12
# A ring item outlives its epoch by this much (its TTL): containers whose clocks run a little behind
# still find it. Nothing needs it later: every envelope carries its own wrapped data key.
RING_GRACE_SECONDS: Final = 3600


class VaultError(Exception):
    """A token could not be sealed or opened. Messages never contain the token."""


class EnvelopeFormatError(VaultError):
    """Not an envelope this vault understands (truncated, another format, unknown version)."""


class ContextMismatchError(VaultError):
    """The envelope was sealed for another workspace or connection."""


class TamperedEnvelopeError(VaultError):
    """Authentication failed: the ciphertext, nonce, header or wrapped key was altered."""


@dataclass
class _DataKey:
    key_arn: str
    wrapped: bytes = field(repr=False)
    plaintext: bytes = field(repr=False)
    created_at: float  # for a shared key: when this container last read the ring item
    uses: int = 0
    epoch: int | None = None  # the ring epoch of a shared key; None for a key of this container only


@dataclass(frozen=True)
class RingKey:
    """An epoch's shared data key as the key ring stores it: wrapped by KMS, never in plaintext."""

    epoch_start: int
    key_arn: str
    wrapped: bytes = field(repr=False)


class KeyRingStore(Protocol):
    """Where the epochs' shared data keys live (storage/vault_keys.py)."""

    def get(self, epoch_start: int) -> RingKey | None:
        """The epoch's key, read consistently; None before any container added it."""
        ...

    def add(self, key: RingKey, expires_at: int) -> RingKey:
        """Stores ``key`` unless the epoch has one already; returns the stored one (the race's winner)."""
        ...

    def replace(self, stored: RingKey, key: RingKey, expires_at: int) -> RingKey:
        """Swaps ``stored`` for ``key`` unless it changed meanwhile; returns the key stored afterwards."""
        ...


@dataclass(frozen=True)
class KeyRing:
    """Shared data keys, one per ``epoch_seconds`` of wall-clock time (epochs start at multiples of it)."""

    store: KeyRingStore
    epoch_seconds: int = 86_400
    clock: Callable[[], float] = time.time

    def current_epoch(self) -> int:
        return int(self.clock()) // self.epoch_seconds * self.epoch_seconds

    def expires_at(self, epoch_start: int) -> int:
        return epoch_start + self.epoch_seconds + RING_GRACE_SECONDS


@dataclass(frozen=True)
class _Envelope:
    header: dict[str, Any]
    wrapped: bytes
    nonce: bytes
    ciphertext: bytes

    @property
    def key_arn(self) -> str:
        return str(self.header["kid"])

    @property
    def kms_context(self) -> dict[str, str]:
        return dict(self.header["kctx"])

    @property
    def context(self) -> dict[str, str]:
        return dict(self.header["ctx"])

    def associated_data(self) -> bytes:
        return _canonical(self.header)


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _context(workspace_id: str, connection_id: str) -> dict[str, str]:
    if not workspace_id or not connection_id:
        raise VaultError("A token is sealed for one workspace and one connection; both ids are required.")
    return {"workspace_id": workspace_id, "connection_id": connection_id}


def _parse(envelope: str | bytes) -> _Envelope:
    text = envelope.decode() if isinstance(envelope, bytes) else envelope
    if not text.startswith(PREFIX):
        raise EnvelopeFormatError("Not a CreatorDeck token envelope (unknown prefix).")
    try:
        body = json.loads(_unb64(text[len(PREFIX) :]))
        header = {k: body[k] for k in ("v", "alg", "kid", "kctx", "ctx")}
        parsed = _Envelope(header, _unb64(body["edk"]), _unb64(body["iv"]), _unb64(body["ct"]))
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise EnvelopeFormatError("The token envelope is malformed.") from exc
    if header["v"] != VERSION or header["alg"] != ALGORITHM:
        raise EnvelopeFormatError(f"Unsupported envelope version {header['v']!r} / {header['alg']!r}.")
    if not isinstance(header["ctx"], dict) or not isinstance(header["kctx"], dict):
        raise EnvelopeFormatError("The token envelope is malformed.")
    return parsed


def envelope_key_arn(envelope: str | bytes) -> str:
    """The CMK that wraps this envelope's data key."""
    return _parse(envelope).key_arn


class TokenVault:
    """Seals and opens platform tokens. ``kms_client`` is a boto3 KMS client built by the composition root."""

    def __init__(
        self,
        kms_client: Any,
        key_id: str,
        *,
        ring: KeyRing | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_key_age: float = 300.0,
        max_key_uses: int = 10_000,
        cache_size: int = 128,
        cache_ttl: float = 900.0,
    ) -> None:
        self._kms = kms_client
        self._key_id = key_id
        self._ring = ring
        self._clock = clock
        self._max_key_age = max_key_age
        self._max_key_uses = max_key_uses
        self._cache_size = cache_size
        self._cache_ttl = cache_ttl
        self._current: _DataKey | None = None  # this container's own key (no ring, or the ring's spent)
        self._shared: _DataKey | None = None  # the ring's key of the epoch this container last sealed in
        self._shared_spent_in: int | None = None  # epoch in which this container used up the shared key
        self._unwrapped: OrderedDict[tuple[str, bytes], tuple[bytes, float]] = OrderedDict()
        self._key_arn: str | None = None
        self._lock = threading.Lock()
        self._unwrap_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TokenVault(key_id={self._key_id!r})"

    def current_key_arn(self) -> str:
        """The ARN ``key_id`` resolves to now (an alias may have moved to a new CMK)."""
        if self._key_arn is None:
            self._key_arn = str(self._kms.describe_key(KeyId=self._key_id)["KeyMetadata"]["Arn"])
        return self._key_arn

    def seal(self, plaintext: Secret, workspace_id: str, connection_id: str) -> str:
        context = _context(workspace_id, connection_id)
        key = self._data_key()
        header = {
            "v": VERSION,
            "alg": ALGORITHM,
            "kid": key.key_arn,
            "kctx": dict(KMS_CONTEXT),
            "ctx": context,
        }
        nonce = os.urandom(NONCE_BYTES)
        ciphertext = AESGCM(key.plaintext).encrypt(nonce, plaintext.reveal().encode(), _canonical(header))
        body = header | {"edk": _b64(key.wrapped), "iv": _b64(nonce), "ct": _b64(ciphertext)}
        return PREFIX + _b64(_canonical(body))

    def open(self, envelope: str | bytes, workspace_id: str, connection_id: str) -> Secret:
        parsed = _parse(envelope)
        if parsed.context != _context(workspace_id, connection_id):
            raise ContextMismatchError("This token was sealed for another workspace or connection.")
        key = self._unwrap(parsed)
        try:
            plaintext = AESGCM(key).decrypt(parsed.nonce, parsed.ciphertext, parsed.associated_data())
        except InvalidTag:
            raise TamperedEnvelopeError("The token envelope failed authentication.") from None
        return Secret(plaintext.decode())

    def needs_reencrypt(self, envelope: str | bytes, current_key_arn: str | None = None) -> bool:
        """True when the envelope's data key is wrapped by another CMK than the current one."""
        return envelope_key_arn(envelope) != (current_key_arn or self.current_key_arn())

    def adopt_current_key(self) -> bool:
        """After the token key changed: the epoch's shared data key, if another CMK wraps it, is replaced
        by one under the current CMK; every container seals under it once it reads the ring again
        (within ``max_key_age``). True when this call replaced it."""
        ring = self._ring
        if ring is None:
            return False
        key_arn = self.current_key_arn()
        with self._lock:
            epoch = ring.current_epoch()
            stored = ring.store.get(epoch)
            if stored is None or stored.key_arn == key_arn:
                return False  # the epoch's first seal generates under the current CMK
            fresh = self._generate(epoch)
            winner = ring.store.replace(
                stored, RingKey(epoch, fresh.key_arn, fresh.wrapped), ring.expires_at(epoch)
            )
            self._shared = None
            return winner.wrapped == fresh.wrapped

    # ---- data keys -----------------------------------------------------------------------------

    def _data_key(self) -> _DataKey:
        with self._lock:
            now = self._clock()
            if self._ring is not None:
                epoch = self._ring.current_epoch()
                if self._shared_spent_in != epoch:
                    shared = self._shared_key(self._ring, epoch, now)
                    if shared.uses < self._max_key_uses:
                        shared.uses += 1
                        return shared
                    # Past the count bound: this container's own keys until the epoch ends, as without a ring.
                    self._shared_spent_in = epoch
            key = self._current
            if key is None or now - key.created_at >= self._max_key_age or key.uses >= self._max_key_uses:
                key = self._generate(None)
                self._current = key
            key.uses += 1
            return key

    def _shared_key(self, ring: KeyRing, epoch: int, now: float) -> _DataKey:
        """The epoch's shared key (lock held): the ring item is read again every ``max_key_age``, so an
        operator's replacement (``adopt_current_key``) reaches every container; no KMS call unless the
        key changed."""
        key = self._shared
        if key is not None and key.epoch == epoch and now - key.created_at < self._max_key_age:
            return key
        stored = ring.store.get(epoch)
        if stored is None:
            fresh = self._generate(epoch)
            # Put only if absent: a container that lost the race reads the winner's key and wasted one
            # GenerateDataKey; every container then seals under the same key.
            stored = ring.store.add(RingKey(epoch, fresh.key_arn, fresh.wrapped), ring.expires_at(epoch))
        if key is not None and key.epoch == epoch and key.wrapped == stored.wrapped:
            key.created_at = now
            return key
        plaintext = self._known_plaintext(stored.key_arn, stored.wrapped, now)
        if plaintext is None:
            plaintext = self._kms_decrypt(stored.wrapped, dict(KMS_CONTEXT), stored.key_arn)
            self._remember(stored.key_arn, stored.wrapped, plaintext, now)
        key = _DataKey(stored.key_arn, stored.wrapped, plaintext, created_at=now, epoch=epoch)
        self._shared = key
        return key

    def _generate(self, epoch: int | None) -> _DataKey:
        now = self._clock()
        response = self._kms.generate_data_key(
            KeyId=self._key_id, KeySpec="AES_256", EncryptionContext=dict(KMS_CONTEXT)
        )
        key = _DataKey(
            key_arn=str(response["KeyId"]),
            wrapped=bytes(response["CiphertextBlob"]),
            plaintext=bytes(response["Plaintext"]),
            created_at=now,
            epoch=epoch,
        )
        self._remember(key.key_arn, key.wrapped, key.plaintext, now)
        return key

    def _unwrap(self, envelope: _Envelope) -> bytes:
        cached = self._cached(envelope)
        if cached is not None:
            return cached
        # One KMS Decrypt per data key, however many threads open tokens under it at once.
        with self._unwrap_lock:
            cached = self._cached(envelope)
            return cached if cached is not None else self._decrypt(envelope)

    def _cached(self, envelope: _Envelope) -> bytes | None:
        with self._lock:
            return self._known_plaintext(envelope.key_arn, envelope.wrapped, self._clock())

    def _known_plaintext(self, key_arn: str, wrapped: bytes, now: float) -> bytes | None:
        """A data key this container holds (lock held): the keys it seals with, then the LRU."""
        for key in (self._shared, self._current):
            if key is not None and key.wrapped == wrapped and key.key_arn == key_arn:
                return key.plaintext
        cache_key = (key_arn, wrapped)
        cached = self._unwrapped.get(cache_key)
        if cached is not None and now - cached[1] < self._cache_ttl:
            self._unwrapped.move_to_end(cache_key)
            return cached[0]
        return None

    def _decrypt(self, envelope: _Envelope) -> bytes:
        plaintext = self._kms_decrypt(envelope.wrapped, envelope.kms_context, envelope.key_arn)
        with self._lock:
            self._remember(envelope.key_arn, envelope.wrapped, plaintext, self._clock())
        return plaintext

    def _kms_decrypt(self, wrapped: bytes, kms_context: dict[str, str], key_arn: str) -> bytes:
        try:
            response = self._kms.decrypt(CiphertextBlob=wrapped, EncryptionContext=kms_context, KeyId=key_arn)
        except Exception as exc:  # botocore ClientError: InvalidCiphertextException, IncorrectKeyException...
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code in ("InvalidCiphertextException", "IncorrectKeyException"):
                raise TamperedEnvelopeError("KMS refused the envelope's data key.") from exc
            raise
        return bytes(response["Plaintext"])

    def _remember(self, key_arn: str, wrapped: bytes, plaintext: bytes, now: float) -> None:
        self._unwrapped[(key_arn, wrapped)] = (plaintext, now)
        self._unwrapped.move_to_end((key_arn, wrapped))
        while len(self._unwrapped) > self._cache_size:
            self._unwrapped.popitem(last=False)


def reencrypt(vault: TokenVault, envelope: str | bytes, workspace_id: str, connection_id: str) -> str:
    """The same token sealed under ``vault``'s current CMK; unchanged if it already is."""
    if not vault.needs_reencrypt(envelope):
        return envelope.decode() if isinstance(envelope, bytes) else envelope
    return vault.seal(vault.open(envelope, workspace_id, connection_id), workspace_id, connection_id)
