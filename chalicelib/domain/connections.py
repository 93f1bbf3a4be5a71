"""Connected platform accounts, the OAuth states that lead to them, and what can go wrong on the way."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from chalicelib.domain.alerts import alert_message, public_alert_id
from chalicelib.domain.identity import Member
from chalicelib.domain.permissions import Role
from chalicelib.domain.platforms import Platform
from chalicelib.domain.summary import AccountStats

__all__ = [
    "CONNECT_STATE_LIFETIME",
    "Alert",
    "CallbackFailure",
    "Connection",
    "ConnectionStatus",
    "DueConnection",
    "OAuthState",
    "PendingAccount",
    "PendingChoice",
    "Revocation",
    "RevokeSkipped",
    "SealedTokens",
    "refresh_due_at",
]

CONNECT_STATE_LIFETIME: Final = timedelta(minutes=10)
# The sweep runs every 30 minutes: a short-lived token is refreshed in the last sweep before it dies.
SHORT_TOKEN_MARGIN: Final = timedelta(minutes=45)
# Long-lived tokens (Meta's 60-day user token, Threads) are renewed a week ahead.
LONG_TOKEN_MARGIN: Final = timedelta(days=7)
LONG_LIVED: Final = timedelta(days=2)


class ConnectionStatus(enum.StrEnum):
    ACTIVE = "active"
    NEEDS_REAUTH = "needs_reauth"
    DISCONNECTED = "disconnected"  # the person removed the app: tokens gone, data kept until deleted


@dataclass(frozen=True)
class SealedTokens:
    """A connection's credentials as the store holds them: vault envelopes, never plaintext."""

    access: str = field(repr=False)
    expires_at: datetime | None
    scopes: frozenset[str]
    user_id: str
    account_id: str | None = None
    refresh: str | None = field(default=None, repr=False)
    refresh_expires_at: datetime | None = None


def refresh_due_at(tokens: SealedTokens, issued_at: datetime) -> datetime | None:
    """When the sweep should renew these tokens; None when nothing ever needs renewing."""
    candidates = []
    for expiry in (tokens.expires_at, tokens.refresh_expires_at if tokens.refresh else None):
        if expiry is None:
            continue
        margin = LONG_TOKEN_MARGIN if expiry - issued_at > LONG_LIVED else SHORT_TOKEN_MARGIN
        candidates.append(expiry - margin)
    return min(candidates) if candidates else None


@dataclass(frozen=True)
class Connection:
    id: str
    workspace_id: str
    platform: Platform
    account_id: str
    account_name: str
    owner_member_id: str
    status: ConnectionStatus
    scopes: frozenset[str]
    missing_scopes: frozenset[str]
    platform_user_id: str
    connected_at: datetime
    token_version: int = 0
    refreshed_at: datetime | None = None
    last_sync_at: datetime | None = None
    status_reason: str | None = None
    demographics_at: datetime | None = None
    profile_synced_at: datetime | None = None  # profile counters and new posts
    counters_synced_at: datetime | None = None  # counters of recent posts
    stats: AccountStats | None = None  # headline numbers as of the last sync (domain/summary.py)

    @property
    def needs_reauth(self) -> bool:
        return self.status is ConnectionStatus.NEEDS_REAUTH

    def visible_to(self, member: Member) -> bool:
        """A creator sees only the accounts they connected; other readers see the whole workspace."""
        return member.role is not Role.CREATOR or self.owner_member_id == member.id

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "platform": self.platform.value,
            "account_id": self.account_id,
            "account_name": self.account_name,
            "owner_member_id": self.owner_member_id,
            "status": self.status.value,
            "needs_reauth": self.needs_reauth,
            "granted_scopes": sorted(self.scopes),
            "missing_scopes": sorted(self.missing_scopes),
            "connected_at": self.connected_at.isoformat(),
            "refreshed_at": self.refreshed_at.isoformat() if self.refreshed_at else None,
            "last_sync_at": self.last_sync_at.isoformat() if self.last_sync_at else None,
        }


@dataclass(frozen=True)
class OAuthState:
    """What ``start`` keeps, under the hash of ``state``, until the callback (single use, 10 minutes)."""

    state_hash: str
    workspace_id: str
    member_id: str
    platform: Platform
    redirect_uri: str
    scopes: tuple[str, ...]
    expires_at: datetime
    verifier: str | None = field(default=None, repr=False)  # a vault envelope of the PKCE verifier
    used: bool = False
    # SHA-256 of the browser key the start call set as a cookie: only that browser may finish.
    browser_hash: str = field(default="", repr=False)


@dataclass(frozen=True)
class PendingAccount:
    account_id: str
    name: str
    tokens: SealedTokens = field(repr=False)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.account_id, "name": self.name}


@dataclass(frozen=True)
class PendingChoice:
    """Meta's "which Pages / Instagram accounts" step: candidates kept (sealed) until the member picks."""

    id: str
    workspace_id: str
    member_id: str
    platform: Platform
    accounts: tuple[PendingAccount, ...]
    expires_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "platform": self.platform.value,
            "accounts": [account.as_json() for account in self.accounts],
            "expires_at": self.expires_at.isoformat(),
        }


@dataclass(frozen=True)
class Alert:
    id: str
    workspace_id: str
    kind: str
    connection_id: str
    platform: Platform
    account_name: str
    created_at: datetime
    post_id: str | None = None  # viral_post: the post
    views_multiple: float | None = None  # viral_post: views over the creator's usual at that age
    follower_change_pct: float | None = None  # follower_spike/drop: day-over-day change, in percent
    followers: int | None = None  # follower_spike/drop: followers now
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None

    @property
    def public_id(self) -> str:
        return public_alert_id(self.created_at, self.id)

    @property
    def message(self) -> str:
        return alert_message(
            self.kind,
            views_multiple=self.views_multiple,
            follower_change_pct=self.follower_change_pct,
            followers=self.followers,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.public_id,
            "kind": self.kind,
            "connection_id": self.connection_id,
            "platform": self.platform.value,
            "account_name": self.account_name,
            "post_id": self.post_id,
            "message": self.message,
            "created_at": self.created_at.isoformat(),
            "acknowledged_at": self.acknowledged_at.isoformat() if self.acknowledged_at else None,
            "acknowledged_by": self.acknowledged_by,
        }


class CallbackFailure(enum.StrEnum):
    """Why a callback did not connect anything; each has a page a person can act on."""

    DENIED = "consent_denied"
    PARTIAL = "scopes_missing"
    INVALID_STATE = "state_invalid"
    OTHER_BROWSER = "browser_mismatch"
    USED_STATE = "state_used"
    EXPIRED_STATE = "state_expired"
    REDIRECT_MISMATCH = "redirect_mismatch"
    NO_ACCOUNTS = "no_accounts"
    NO_CHANNEL = "no_youtube_channel"  # a Google account that owns no YouTube channel
    PLATFORM_BUSY = "platform_busy"
    PLATFORM_ERROR = "platform_error"
    UNKNOWN_PLATFORM = "unknown_platform"


class RevokeSkipped(enum.StrEnum):
    """Why a grant was not revoked at the platform (its tokens are deleted all the same)."""

    GRANT_IN_USE = "grant_in_use"  # another live connection of the same platform user needs it
    NO_TOKENS = "no_tokens"
    NOT_CONFIGURED = "platform_not_configured"
    PLATFORM_REFUSED = "platform_refused"
    NO_REVOKE_CALL = "platform_has_no_revoke_call"  # Threads: the person removes the app there


@dataclass(frozen=True)
class Revocation:
    """What became of a grant when its connection let go of it."""

    revoked: bool
    skipped: RevokeSkipped | None = None

    def audit_details(self) -> dict[str, str | bool]:
        details: dict[str, str | bool] = {"revoked_at_platform": self.revoked}
        if self.skipped is not None:
            details["not_revoked_because"] = self.skipped.value
        return details


@dataclass(frozen=True)
class DueConnection:
    """A connection whose next sync time has passed, as the schedule index holds it."""

    workspace_id: str
    connection_id: str
    next_sync_at: int  # epoch seconds, as indexed
