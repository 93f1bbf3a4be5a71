"""Workspaces, invitations and members: the invite-only way into CreatorDeck."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from chalicelib.domain.audit import AuditAction
from chalicelib.domain.errors import ConflictError, NotFoundError, PermissionDeniedError
from chalicelib.domain.identity import (
    Caller,
    Invitation,
    InvitationStatus,
    Member,
    MemberStatus,
    Origin,
    Workspace,
)
from chalicelib.domain.permissions import Role, may_grant
from chalicelib.security.passwords import PasswordHasher
from chalicelib.security.secret import Secret
from chalicelib.security.tokens import hash_secret, new_id, new_secret
from chalicelib.services.audit import AuditLog
from chalicelib.services.mail import Mailer, invitation_email
from chalicelib.services.ports import AccountStore

INVITATION_LIFETIME: Final = timedelta(days=7)
OPERATOR: Final = "operator"


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    link: Secret  # carries the one-time token: shown to the operator or mailed, never logged


@dataclass(frozen=True)
class InvitationPreview:
    workspace_name: str
    email: str
    role: Role
    expires_at: datetime


class WorkspaceService:
    def __init__(
        self,
        accounts: AccountStore,
        passwords: PasswordHasher,
        mailer: Mailer,
        audit: AuditLog,
        public_base_url: str,
        clock: Callable[[], datetime],
    ) -> None:
        self._accounts = accounts
        self._passwords = passwords
        self._mailer = mailer
        self._audit = audit
        self._base_url = public_base_url
        self._now = clock

    # --- operator ---------------------------------------------------------------------

    def create_workspace(self, name: str, admin_email: str) -> tuple[Workspace, IssuedInvitation]:
        """A new workspace and the one-time invitation of its first admin (the operator command)."""
        workspace = Workspace(id=new_id(), name=name.strip(), created_at=self._now())
        self._accounts.create_workspace(workspace)
        issued = self._issue(workspace, normalise_email(admin_email), Role.ADMIN, invited_by=OPERATOR)
        self._audit.record(
            AuditAction.WORKSPACE_CREATED, workspace_id=workspace.id, actor_id=None, target=workspace.id
        )
        return workspace, issued

    # --- invitations ------------------------------------------------------------------

    def invite(self, caller: Caller, email: str, role: Role) -> Invitation:
        if not may_grant(caller.member.role, role):
            raise PermissionDeniedError(
                f"A {caller.member.role.value} cannot invite a {role.value}.", code="role_not_grantable"
            )
        address = normalise_email(email)
        if self._accounts.email_taken(address):
            raise ConflictError("Someone with this email already has an account.", code="email_taken")
        workspace = self._workspace(caller.workspace_id)
        issued = self._issue(workspace, address, role, invited_by=caller.member.id)
        self._mailer.send(invitation_email(address, workspace.name, role.value, issued.link.reveal()))
        self._audit.by(caller, AuditAction.INVITATION_CREATED, issued.invitation.id, role=role.value)
        return issued.invitation

    def list_invitations(self, caller: Caller) -> list[Invitation]:
        return self._accounts.list_invitations(caller.workspace_id)

    def revoke_invitation(self, caller: Caller, invitation_id: str) -> Invitation:
        invitation = self._accounts.get_invitation(caller.workspace_id, invitation_id)
        if invitation is None:
            raise NotFoundError("There is no such invitation.")
        if not may_grant(caller.member.role, invitation.role):
            raise PermissionDeniedError("You cannot revoke this invitation.", code="role_not_grantable")
        if invitation.status is not InvitationStatus.PENDING or not self._accounts.revoke_invitation(
            invitation
        ):
            raise ConflictError("Only a pending invitation can be revoked.", code="invitation_not_pending")
        self._audit.by(caller, AuditAction.INVITATION_REVOKED, invitation.id)
        return self._accounts.get_invitation(caller.workspace_id, invitation_id) or invitation

    def preview_invitation(self, token: str) -> InvitationPreview:
        invitation = self._usable_invitation(token)
        workspace = self._workspace(invitation.workspace_id)
        return InvitationPreview(workspace.name, invitation.email, invitation.role, invitation.expires_at)

    def accept_invitation(self, token: str, name: str, password: str, origin: Origin) -> Member:
        invitation = self._usable_invitation(token)
        password_hash = self._passwords.hash(password)
        member = Member(
            id=new_id(),
            workspace_id=invitation.workspace_id,
            email=invitation.email,
            name=name.strip(),
            role=invitation.role,
            status=MemberStatus.ACTIVE,
            created_at=self._now(),
        )
        self._accounts.accept_invitation(invitation, member, password_hash)
        self._audit.record(
            AuditAction.INVITATION_ACCEPTED,
            workspace_id=member.workspace_id,
            actor_id=member.id,
            target=invitation.id,
            origin=origin,
            details={"role": member.role.value},
        )
        return member

    # --- members ----------------------------------------------------------------------

    def workspace(self, caller: Caller) -> Workspace:
        return self._workspace(caller.workspace_id)

    def list_members(self, caller: Caller) -> list[Member]:
        return self._accounts.list_members(caller.workspace_id)

    def change_role(self, caller: Caller, member_id: str, role: Role) -> Member:
        member = self._member(caller, member_id)
        if not may_grant(caller.member.role, role):
            raise PermissionDeniedError(f"You cannot give the role {role.value}.", code="role_not_grantable")
        if member.role is Role.ADMIN and role is not Role.ADMIN:
            self._keep_an_admin(caller.workspace_id, member)
        self._accounts.change_role(member, role)
        self._audit.by(caller, AuditAction.ROLE_CHANGED, member.id, old=member.role.value, new=role.value)
        return self._member(caller, member_id)

    def remove_member(self, caller: Caller, member_id: str) -> None:
        member = self._member(caller, member_id)
        if member.role is Role.ADMIN:
            self._keep_an_admin(caller.workspace_id, member)
        self._accounts.remove_member(member)
        self._accounts.revoke_member_sessions(member.id)
        for key in self._accounts.list_api_keys(member.id):
            self._accounts.revoke_api_key(member.id, key.prefix)
        self._audit.by(caller, AuditAction.MEMBER_REMOVED, member.id)

    # --- helpers ------------------------------------------------------------------------

    def _issue(self, workspace: Workspace, email: str, role: Role, invited_by: str) -> IssuedInvitation:
        token = new_secret()
        now = self._now()
        invitation = Invitation(
            id=new_id(),
            workspace_id=workspace.id,
            email=email,
            role=role,
            status=InvitationStatus.PENDING,
            invited_by=invited_by,
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
        self._accounts.create_invitation(invitation, hash_secret(token))
        # The token travels in the fragment: browsers never send it to a server or a log.
        return IssuedInvitation(invitation, Secret(f"{self._base_url}/accept-invitation#token={token}"))

    def _usable_invitation(self, token: str) -> Invitation:
        invitation = self._accounts.find_invitation(hash_secret(token))
        if invitation is None or invitation.status is not InvitationStatus.PENDING:
            raise NotFoundError(
                "This invitation link is not valid: it may have been used, revoked or expired.",
                code="invitation_unusable",
            )
        return invitation

    def _workspace(self, workspace_id: str) -> Workspace:
        workspace = self._accounts.get_workspace(workspace_id)
        if workspace is None:
            raise NotFoundError("There is no such workspace.")
        return workspace

    def _member(self, caller: Caller, member_id: str) -> Member:
        member = self._accounts.get_member(caller.workspace_id, member_id)
        if member is None or not member.active:
            raise NotFoundError("There is no such member.")
        return member

    def _keep_an_admin(self, workspace_id: str, leaving: Member) -> None:
        admins = [m for m in self._accounts.list_members(workspace_id) if m.role is Role.ADMIN]
        if [admin.id for admin in admins] == [leaving.id]:
            raise ConflictError("A workspace needs at least one admin.", code="last_admin")


def normalise_email(email: str) -> str:
    return email.strip().lower()
