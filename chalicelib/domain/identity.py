"""Workspaces, members and the caller of a request."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from chalicelib.domain.alert_emails import AlertEmails
from chalicelib.domain.permissions import ROLE_ACTIONS, Action, Role
from chalicelib.domain.snapshots import MAX_RETENTION, MIN_RETENTION, retention


class MemberStatus(StrEnum):
    ACTIVE = "active"
    REMOVED = "removed"


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Workspace:
    id: str
    name: str
    created_at: datetime
    retention_days: int | None = None  # None: the default window (DEFAULT_RETENTION)

    @property
    def retention(self) -> timedelta:
        """How long this workspace's snapshots and posts are kept, within the promised bounds."""
        return retention(None if self.retention_days is None else timedelta(days=self.retention_days))

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "created_at": self.created_at.isoformat(),
            "retention_days": self.retention.days,
            "retention_bounds": {"min": MIN_RETENTION.days, "max": MAX_RETENTION.days},
        }


@dataclass(frozen=True)
class Member:
    id: str
    workspace_id: str
    email: str
    name: str
    role: Role
    status: MemberStatus
    created_at: datetime
    alert_emails: AlertEmails = field(default_factory=AlertEmails)

    @property
    def active(self) -> bool:
        return self.status is MemberStatus.ACTIVE

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "name": self.name,
            "role": self.role.value,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class Invitation:
    id: str
    workspace_id: str
    email: str
    role: Role
    status: InvitationStatus
    invited_by: str
    created_at: datetime
    expires_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "role": self.role.value,
            "status": self.status.value,
            "invited_by": self.invited_by,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
        }


@dataclass(frozen=True)
class ApiKey:
    id: str
    member_id: str
    workspace_id: str
    name: str
    prefix: str
    scopes: frozenset[Action]
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "prefix": self.prefix,
            "scopes": sorted(scope.value for scope in self.scopes),
            "created_at": self.created_at.isoformat(),
            "last_used_at": self.last_used_at.isoformat() if self.last_used_at else None,
            "revoked": self.revoked_at is not None,
        }


@dataclass(frozen=True)
class Caller:
    """Who is making a request, and what they may do in it."""

    member: Member
    session_id: str | None = None
    api_key_id: str | None = None
    key_scopes: frozenset[Action] | None = None  # None: not an API key, the role decides alone
    origin: Origin = field(default_factory=lambda: Origin())

    @property
    def workspace_id(self) -> str:
        return self.member.workspace_id

    @property
    def actions(self) -> frozenset[Action]:
        allowed = ROLE_ACTIONS[self.member.role]
        return allowed if self.key_scopes is None else allowed & self.key_scopes

    def may(self, action: Action) -> bool:
        return action in self.actions


@dataclass(frozen=True)
class Origin:
    """Where a request came from, for the audit log and rate limits."""

    ip: str = ""
    user_agent: str = ""


@dataclass(frozen=True)
class SessionRecord:
    """A stored session family: who it belongs to and the hash of its current secret."""

    session_id: str
    member_id: str
    workspace_id: str
    secret_hash: str
    revoked_at: datetime | None
