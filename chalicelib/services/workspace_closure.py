"""Closing a workspace: everyone out at once, the platforms let go, everything deleted 30 days later.

Closing marks the workspace closed (once), schedules the deletion of all of it through the privacy
machinery (a pending deletion due in 30 days, which the hourly retention sweep hands to the privacy
worker), revokes every connection at its platform and deletes its tokens (syncs stop), revokes
pending invitations, and signs every member out and revokes their API keys. From then on a sign-in
or an API key of the workspace is refused with ``403 workspace_closed`` (services/auth.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.closure import WorkspaceClosure
from chalicelib.domain.connections import ConnectionStatus
from chalicelib.domain.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from chalicelib.domain.identity import Caller, InvitationStatus
from chalicelib.domain.privacy import WORKSPACE_DELETION_DELAY, DeletionSource, DeletionTarget
from chalicelib.observability import logger
from chalicelib.services.ports import AccountStore, ConnectionStore
from chalicelib.services.privacy import Disconnector, PrivacyService, Revoker, new_confirmation_code

__all__ = ["ClosureReceipt", "ClosureStore", "WorkspaceClosureService"]


class ClosureStore(Protocol):
    def close(self, closure: WorkspaceClosure, closed_by: str) -> bool: ...
    def closure(self, workspace_id: str) -> WorkspaceClosure | None: ...


@dataclass(frozen=True)
class ClosureReceipt:
    closure: WorkspaceClosure
    status_url: str

    def as_json(self) -> dict[str, Any]:
        return {
            "status": "closed",
            "closed_at": self.closure.closed_at.isoformat(),
            "deletion_due_at": self.closure.deletion_due_at.isoformat(),
            "confirmation_code": self.closure.confirmation_code,
            "status_url": self.status_url,
        }


class WorkspaceClosureService:
    def __init__(
        self,
        accounts: AccountStore,
        closures: ClosureStore,
        connections: ConnectionStore,
        revoker: Revoker,
        disconnector: Disconnector,
        privacy: PrivacyService,
        clock: Callable[[], datetime],
    ) -> None:
        self._accounts = accounts
        self._closures = closures
        self._connections = connections
        self._revoker = revoker
        self._disconnector = disconnector
        self._privacy = privacy
        self._now = clock

    def close(self, caller: Caller, confirm_name: str) -> ClosureReceipt:
        if caller.api_key_id is not None:
            raise PermissionDeniedError(
                "Close the workspace from a signed-in session, not with an API key.", code="session_required"
            )
        workspace = self._accounts.get_workspace(caller.workspace_id)
        if workspace is None:
            raise NotFoundError("There is no such workspace.")
        if confirm_name.strip() != workspace.name:
            raise InvalidInputError(
                "Type the workspace's name exactly to confirm closing it.",
                code="confirmation_mismatch",
                details={"field": "confirm_name"},
            )
        now = self._now()
        closure = WorkspaceClosure(workspace.id, now, now + WORKSPACE_DELETION_DELAY, new_confirmation_code())
        if not self._closures.close(closure, caller.member.id):
            raise ConflictError("This workspace is already closed.", code="workspace_closed")
        connections = self._connections.list_connections(workspace.id)
        # Scheduled first: whatever fails below, the deletion still comes.
        self._privacy.schedule_deletion(
            DeletionSource.WORKSPACE,
            tuple(DeletionTarget(c.workspace_id, c.id, c.platform, c.owner_member_id) for c in connections),
            WORKSPACE_DELETION_DELAY,
            code=closure.confirmation_code,
            workspace_id=workspace.id,
            requester_id=caller.member.id,
        )
        signed_out = self._sign_everyone_out(workspace.id)
        released = self._release_connections(workspace.id)
        logger.info(
            "workspace closed",
            extra={
                "connections": released,
                "members": signed_out,
                "deletion_due_at": closure.deletion_due_at,
            },
        )
        return ClosureReceipt(closure, self._privacy.status_url(closure.confirmation_code))

    def _sign_everyone_out(self, workspace_id: str) -> int:
        for invitation in self._accounts.list_invitations(workspace_id):
            if invitation.status is InvitationStatus.PENDING:
                self._accounts.revoke_invitation(invitation)
        members = self._accounts.list_members(workspace_id)
        for member in members:
            self._accounts.revoke_member_sessions(member.id)
            for key in self._accounts.list_api_keys(member.id):
                if key.revoked_at is None:
                    self._accounts.revoke_api_key(member.id, key.prefix)
        return len(members)

    def _release_connections(self, workspace_id: str) -> int:
        """Revoke at each platform, delete the tokens, stop syncs; the data waits for the deletion."""
        released = 0
        for connection in self._connections.list_connections(workspace_id):
            if connection.status is ConnectionStatus.DISCONNECTED:
                continue
            loaded = self._connections.get_connection(workspace_id, connection.id)
            if loaded is not None:
                self._revoker.revoke_at_platform(connection, loaded[1])
            if self._disconnector.mark_disconnected(connection, "workspace_closed"):
                released += 1
        return released
