"""The one interface every network's provider implements, the calls it asks for, and its errors.

PlatformError                  a platform call failed; ``kind`` says what to do about it
├── ReauthorizeError           the grant is gone (revoked, expired for good): the creator must reconnect
│   └── AccessTokenExpiredError  the access token was refused: refresh once, then retry
├── PermissionMissingError     the creator did not grant a scope this call needs: ask again for it
├── RateLimitedError           throttled: retry after ``retry_after`` seconds (None = unknown)
├── RetryLaterError            the platform or the network failed: retry later, with backoff
└── BadRequestError            our request is wrong (or our app's config): do not retry; a bug to fix
    └── AccountMissingError    the person signed in has nothing to connect here (a Google account
                               with no YouTube channel): they must create it or sign in as its owner

Providers are written "sans I/O": each operation that talks to the platform is a generator (a
``Flow``) that *yields* the HTTP calls it needs (``Call``, or ``Parallel`` for several at once), is sent
each decoded JSON reply, and *returns* a domain value. A failed call is thrown into the generator as a
``PlatformError``, so a provider can catch the one it expects (``except BadRequestError``). The
clients in :mod:`chalicelib.platforms.http` drive flows: ``PlatformClient`` over ``httpx.Client`` for
the synchronous OAuth callback, ``AsyncPlatformClient`` over ``httpx.AsyncClient`` for ingestion with
bounded concurrency. So one implementation serves both, with no event loop hidden in a sync call.
"""

from __future__ import annotations

import enum
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias, TypeVar

from chalicelib.domain.platforms import (
    AuthorizationRequest,
    Demographics,
    Platform,
    Post,
    PostMetrics,
    Profile,
    TokenSet,
)
from chalicelib.security.secret import Secret

__all__ = [
    "AccessTokenExpiredError",
    "AccountMissingError",
    "BadRequestError",
    "Call",
    "Dialect",
    "Flow",
    "Parallel",
    "PermissionMissingError",
    "PlatformError",
    "PlatformProvider",
    "RateLimitedError",
    "ReauthorizeError",
    "RetryLaterError",
    "immediate",
]

T = TypeVar("T")


class PlatformError(Exception):
    """A platform call failed. ``kind`` is stable (for alerts, metrics, the API edge); the rest is detail.

    ``platform_code``/``platform_subcode`` are the platform's own structured codes (TikTok
    ``error.code``, Graph ``code``/``error_subcode``, Google ``errors[0].reason``); never parse
    ``message``, which is for people and is never shown verbatim to a creator.
    """

    kind: str = "platform_error"

    def __init__(
        self,
        message: str,
        *,
        platform: str | None = None,
        status_code: int | None = None,
        platform_code: str | None = None,
        platform_subcode: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.platform = platform
        self.status_code = status_code
        self.platform_code = platform_code
        self.platform_subcode = platform_subcode

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, platform={self.platform!r}, "
            f"status_code={self.status_code!r}, platform_code={self.platform_code!r})"
        )


class ReauthorizeError(PlatformError):
    kind = "reauthorize"


class AccessTokenExpiredError(ReauthorizeError):
    """Refused access token. Callers that can refresh do so once; everyone else treats it as reauthorize."""

    kind = "access_token_expired"


class PermissionMissingError(PlatformError):
    kind = "permission_missing"


class RateLimitedError(PlatformError):
    kind = "rate_limited"

    def __init__(self, message: str, *, retry_after: float | None = None, **details: Any) -> None:
        super().__init__(message, **details)
        self.retry_after = retry_after


class RetryLaterError(PlatformError):
    kind = "retry_later"


class BadRequestError(PlatformError):
    kind = "bad_request"


class AccountMissingError(BadRequestError):
    """A BadRequestError to every caller that does not ask: retrying cannot help."""

    kind = "account_missing"


class Dialect(enum.Enum):
    """How a host reports errors: which envelope to read and which codes mean what."""

    TIKTOK_OAUTH = "tiktok_oauth"  # flat {"error", "error_description", "log_id"}, often HTTP 200
    TIKTOK_API = "tiktok_api"  # {"data", "error": {"code": "ok" | ...}}
    GRAPH = "graph"  # Meta Graph (Facebook, Instagram, Threads): {"error": {"code", "error_subcode"}}
    GOOGLE_OAUTH = "google_oauth"  # flat {"error", "error_description"}
    GOOGLE_API = "google_api"  # {"error": {"code", "errors": [{"reason"}], "status"}}


@dataclass(frozen=True)
class Call:
    """One HTTP request a provider needs. ``token`` goes in an ``Authorization: Bearer`` header.

    ``idempotent=False`` marks calls that must not be repeated once the platform may have acted on
    them (code exchange, a rotating refresh): they are retried only when the platform surely did not.
    ``usage_key`` is the Meta business object (Page / Instagram id) whose usage header governs the call.
    """

    platform: Platform
    dialect: Dialect
    method: str
    url: str
    params: Mapping[str, str] = field(default_factory=dict)
    form: Mapping[str, str] | None = field(default=None, repr=False)
    json: Any = field(default=None, repr=False)
    token: Secret | None = field(default=None, repr=False)
    idempotent: bool = True
    usage_key: str | None = None


@dataclass(frozen=True)
class Parallel:
    """Several independent calls; the reply is the list of their JSON bodies, in order.

    With ``return_errors`` a failed call's ``PlatformError`` takes its place in the list instead of
    being thrown into the flow (e.g. one deleted post must not sink the metrics of the others).
    """

    calls: tuple[Call, ...]
    return_errors: bool = False


Step: TypeAlias = Call | Parallel
Flow: TypeAlias = Generator[Step, Any, T]


def immediate(value: T) -> Flow[T]:
    """A flow that needs no call (e.g. demographics a platform never offers)."""
    return value
    yield  # a generator, so callers drive it like any other flow


class PlatformProvider(Protocol):
    """One social network, in CreatorDeck's terms. Registry key: ``platform``."""

    @property
    def platform(self) -> Platform: ...

    def authorization_request(self, state: str) -> AuthorizationRequest:
        """The consent URL for a new connection (no I/O); keep the request with ``state``."""
        ...

    def exchange_code(self, code: str, request: AuthorizationRequest) -> Flow[TokenSet]:
        """Swap the callback's code for tokens (long-lived ones where the platform has them)."""
        ...

    def refresh(self, tokens: TokenSet) -> Flow[TokenSet]:
        """New tokens. Persist the result *before* using it: the old refresh token may be dead now."""
        ...

    @property
    def revocable(self) -> bool:
        """Whether the platform has a call that withdraws the app's access (Threads has none)."""
        ...

    def revoke(self, tokens: TokenSet) -> Flow[None]:
        """Withdraw the app's access at the platform (no-op where the platform has no revoke call)."""
        ...

    def profile(self, tokens: TokenSet) -> Flow[Profile]: ...

    def posts(
        self, tokens: TokenSet, *, since_post_id: str | None = None, max_posts: int = 1000
    ) -> Flow[list[Post]]:
        """Posts newest first, walking every page, stopping at ``since_post_id`` (excluded)."""
        ...

    def post_metrics(self, tokens: TokenSet, post_ids: Sequence[str]) -> Flow[dict[str, PostMetrics]]:
        """Counters per post id; ids the platform no longer knows are left out."""
        ...

    def demographics(self, tokens: TokenSet) -> Flow[Demographics]: ...
