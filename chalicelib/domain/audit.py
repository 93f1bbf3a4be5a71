"""What the audit log records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class AuditAction(StrEnum):
    SIGN_IN = "auth.sign_in"
    SIGN_IN_FAILED = "auth.sign_in_failed"
    LOCKED_OUT = "auth.locked_out"
    SIGN_OUT = "auth.sign_out"
    REFRESH_REUSE = "auth.refresh_token_reused"
    PASSWORD_CHANGED = "auth.password_changed"
    PASSWORD_RESET_REQUESTED = "auth.password_reset_requested"
    PASSWORD_RESET = "auth.password_reset"
    WORKSPACE_CREATED = "workspace.created"
    WORKSPACE_UPDATED = "workspace.updated"
    INVITATION_CREATED = "invitation.created"
    INVITATION_REVOKED = "invitation.revoked"
    INVITATION_ACCEPTED = "invitation.accepted"
    ROLE_CHANGED = "member.role_changed"
    MEMBER_REMOVED = "member.removed"
    API_KEY_CREATED = "api_key.created"
    API_KEY_REVOKED = "api_key.revoked"
    CONNECTION_CONNECTED = "connection.connected"
    CONNECTION_DISCONNECTED = "connection.disconnected"
    CONNECTION_NEEDS_REAUTH = "connection.needs_reauth"
    CONNECTION_DEAUTHORIZED = "connection.deauthorized"
    DELETION_REQUESTED = "privacy.deletion_requested"
    DELETION_COMPLETED = "privacy.deletion_completed"
    EXPORT_REQUESTED = "privacy.export_requested"


@dataclass(frozen=True)
class AuditEntry:
    id: str
    workspace_id: str
    action: AuditAction
    at: datetime
    actor_id: str | None
    target: str
    ip: str = ""
    user_agent: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "action": self.action.value,
            "at": self.at.isoformat(),
            "actor_id": self.actor_id,
            "target": self.target,
            "ip": self.ip,
            "user_agent": self.user_agent,
            "details": self.details,
        }
