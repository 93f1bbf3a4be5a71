"""Random credentials and their stored hashes.

Only SHA-256 hashes of high-entropy secrets are stored, so a table dump gives
nothing that signs anyone in. Every credential carries a public part for lookup
and a secret part that is only ever compared by hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Final

API_KEY_PREFIX: Final = "cdk"


def new_id() -> str:
    """A URL-safe, unguessable identifier (128 bits)."""
    return secrets.token_hex(16)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def same_hash(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode(), right.encode())


@dataclass(frozen=True)
class CompoundToken:
    """``<lookup>.<secret>``: the lookup part finds the item, the secret part proves possession."""

    lookup: str
    secret: str

    def render(self) -> str:
        return f"{self.lookup}.{self.secret}"

    @classmethod
    def issue(cls) -> CompoundToken:
        return cls(new_id(), new_secret())

    @classmethod
    def parse(cls, raw: str) -> CompoundToken | None:
        lookup, dot, secret = raw.partition(".")
        if not dot or len(lookup) != 32 or not secret or len(raw) > 200:
            return None
        return cls(lookup, secret)


@dataclass(frozen=True)
class ApiKeyToken:
    """``cdk_<prefix>_<secret>``: shown once; the prefix is stored in clear for lookup and display."""

    prefix: str
    secret: str

    def render(self) -> str:
        return f"{API_KEY_PREFIX}_{self.prefix}_{self.secret}"

    @classmethod
    def issue(cls) -> ApiKeyToken:
        return cls(secrets.token_hex(8), secrets.token_urlsafe(32).replace("_", "x").replace("-", "y"))

    @classmethod
    def parse(cls, raw: str) -> ApiKeyToken | None:
        parts = raw.split("_")
        if len(parts) != 3 or parts[0] != API_KEY_PREFIX or len(parts[1]) != 16 or len(parts[2]) < 32:
            return None
        return cls(parts[1], parts[2])
