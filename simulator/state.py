"""In-memory world state: registered apps, simulated clock, issued codes and tokens, revocations."""

from __future__ import annotations

import dataclasses
import random
import string
import time
import urllib.parse
from collections import deque
from typing import Any

from simulator.knobs import Knobs
from simulator.seed import World, build_world

__all__ = [
    "AuthCode",
    "ClientApp",
    "Clock",
    "Revocation",
    "SimConfig",
    "SimState",
    "Token",
    "default_clients",
]

ALNUM = string.ascii_letters + string.digits
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
# 2026-06-01T12:00:00Z: a fixed default so seeded histories and timestamps repeat exactly.
DEFAULT_START = 1_780_315_200.0


@dataclasses.dataclass(frozen=True)
class ClientApp:
    """An app registered with a platform. No redirect URIs registered = any loopback URI is accepted."""

    platform: str
    client_id: str
    client_secret: str
    name: str
    redirect_uris: tuple[str, ...] = ()

    def accepts_redirect(self, uri: str) -> bool:
        if self.redirect_uris:
            return uri in self.redirect_uris
        parts = urllib.parse.urlsplit(uri)
        return parts.scheme in ("http", "https") and parts.hostname in LOOPBACK_HOSTS and not parts.fragment

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def default_clients() -> tuple[ClientApp, ...]:
    return (
        ClientApp("tiktok", "sim-tiktok-client-key", "sim-tiktok-client-secret", "CreatorDeck"),
        ClientApp("meta", "1000000000000001", "sim-meta-app-secret", "CreatorDeck"),
        ClientApp("threads", "2000000000000002", "sim-threads-app-secret", "CreatorDeck"),
        ClientApp(
            "google",
            "sim-client-1.apps.googleusercontent.com",
            "GOCSPX-sim-google-client-secret",
            "CreatorDeck",
        ),
    )


@dataclasses.dataclass(frozen=True)
class SimConfig:
    """Fixed at construction: the seed, where the clock starts, registered apps."""

    seed: int = 7
    start_time: float = DEFAULT_START
    realtime: bool = False
    clients: tuple[ClientApp, ...] = dataclasses.field(default_factory=default_clients)
    # Posts of an extra Threads creator (pia.posts, pia@example.test) for backfill tests; 0: none.
    prolific_posts: int = 0


class Clock:
    """Simulated time: the start time plus manual advances, plus wall time elapsed when realtime."""

    def __init__(self, start: float, realtime: bool) -> None:
        self._start = start
        self._realtime = realtime
        self._wall_start = time.monotonic()
        self._offset = 0.0

    def now(self) -> float:
        elapsed = time.monotonic() - self._wall_start if self._realtime else 0.0
        return self._start + self._offset + elapsed

    def advance(self, seconds: float) -> None:
        self._offset += seconds


@dataclasses.dataclass
class AuthCode:
    value: str
    platform: str
    client_id: str
    user_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    expires_at: float
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    extra: dict[str, str] = dataclasses.field(default_factory=dict)
    used: bool = False


@dataclasses.dataclass
class Token:
    """An issued credential. ``kind`` is access, refresh, page or app; ``expires_at`` None = never."""

    value: str
    platform: str
    kind: str
    client_id: str
    user_id: str
    scopes: tuple[str, ...]
    issued_at: float
    expires_at: float | None
    extra: dict[str, str] = dataclasses.field(default_factory=dict)
    revoked_reason: str | None = None

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at


@dataclasses.dataclass(frozen=True)
class Revocation:
    platform: str
    user_id: str
    client_id: str
    at: float
    via: str

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class SimState:
    """Everything that changes while the simulator runs; rebuilt whole by ``/_sim/reset``."""

    def __init__(self, config: SimConfig, knobs: Knobs | None = None) -> None:
        self.config = config
        self.knobs = knobs or Knobs()
        self.clock = Clock(config.start_time, config.realtime)
        # Separate streams so tokens never echo the world's ids and faults don't shift with token counts.
        self.rng = random.Random(f"tokens:{config.seed}")
        self.fault_rng = random.Random(f"faults:{config.seed}")
        self.world: World = build_world(config.seed, config.start_time, config.prolific_posts)
        self.clients = {(c.platform, c.client_id): c for c in config.clients}
        self.codes: dict[str, AuthCode] = {}
        self.tokens: dict[str, Token] = {}
        self.revocations: list[Revocation] = []
        # (platform, client_id, user_id) -> scopes granted so far (Google incremental auth, first consent).
        self.grants: dict[tuple[str, str, str], set[str]] = {}
        self.webhooks: list[dict[str, Any]] = []
        self.call_log: dict[str, deque[float]] = {}
        self.quota_used: dict[str, int] = {}
        self._log_counter = 0

    def now(self) -> float:
        return self.clock.now()

    def client(self, platform: str, client_id: str | None) -> ClientApp | None:
        return self.clients.get((platform, client_id or ""))

    def random_string(self, length: int, alphabet: str = ALNUM) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    def log_id(self) -> str:
        self._log_counter += 1
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(self.now()))
        return f"{stamp}SIM{self._log_counter:08d}"

    def issue_token(
        self,
        *,
        value: str,
        platform: str,
        kind: str,
        client_id: str,
        user_id: str,
        scopes: tuple[str, ...],
        lifetime: float | None,
        extra: dict[str, str] | None = None,
    ) -> Token:
        now = self.now()
        if kind != "refresh" and lifetime is not None and self.knobs.access_token_ttl_seconds is not None:
            lifetime = self.knobs.access_token_ttl_seconds
        token = Token(
            value=value,
            platform=platform,
            kind=kind,
            client_id=client_id,
            user_id=user_id,
            scopes=scopes,
            issued_at=now,
            expires_at=None if lifetime is None else now + lifetime,
            extra=dict(extra or {}),
        )
        self.tokens[value] = token
        return token

    def issue_code(self, code: AuthCode) -> AuthCode:
        self.codes[code.value] = code
        return code

    def revoke_user(self, platform: str, client_id: str | None, user_id: str, via: str, reason: str) -> int:
        """Kill every live token of one user (optionally one app) and log it; returns tokens killed."""
        killed = 0
        for token in self.tokens.values():
            same_app = client_id is None or token.client_id == client_id
            mine = token.platform == platform and token.user_id == user_id and same_app
            if mine and token.revoked_reason is None:
                token.revoked_reason = reason
                killed += 1
        self.grants = {
            key: scopes
            for key, scopes in self.grants.items()
            if not (key[0] == platform and key[2] == user_id and (client_id is None or key[1] == client_id))
        }
        self.revocations.append(Revocation(platform, user_id, client_id or "*", self.now(), via))
        return killed

    def expire_tokens(self, platform: str | None, user_id: str | None) -> int:
        """Force live access tokens past their expiry (refresh tokens are left alone)."""
        now = self.now()
        count = 0
        for token in self.tokens.values():
            if token.kind == "refresh" or (platform and token.platform != platform):
                continue
            if user_id and token.user_id != user_id:
                continue
            token.expires_at = now - 1
            count += 1
        return count

    def count_call(self, key: str, window: float) -> int:
        """Record one call under ``key`` and return how many fell inside the sliding window."""
        now = self.now()
        calls = self.call_log.setdefault(key, deque())
        calls.append(now)
        while calls and calls[0] <= now - window:
            calls.popleft()
        return len(calls)
