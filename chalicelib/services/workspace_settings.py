"""Workspace settings (name, data retention) and each member's alert e-mail switches."""

from __future__ import annotations

from typing import Protocol

from chalicelib.domain.alert_emails import AlertEmails
from chalicelib.domain.audit import AuditAction
from chalicelib.domain.errors import NotFoundError, ValidationError
from chalicelib.domain.identity import Caller, Member, Workspace
from chalicelib.domain.snapshots import MAX_RETENTION, MIN_RETENTION
from chalicelib.services.audit import AuditLog


class SettingsStore(Protocol):
    def update_workspace(
        self, workspace_id: str, *, name: str | None = None, retention_days: int | None = None
    ) -> Workspace: ...
    def set_alert_emails(self, member: Member, alert_emails: AlertEmails) -> bool: ...


class WorkspaceSettingsService:
    def __init__(self, accounts: SettingsStore, audit: AuditLog) -> None:
        self._accounts = accounts
        self._audit = audit

    def update_workspace(
        self, caller: Caller, *, name: str | None = None, retention_days: int | None = None
    ) -> Workspace:
        """Renames the workspace and/or sets how long its snapshots and posts are kept (from the next
        sync on: readings already stored keep the expiry they were written with)."""
        problems = []
        if name is not None and not name.strip():
            problems.append({"field": "name", "problem": "must not be blank"})
        if retention_days is not None and not MIN_RETENTION.days <= retention_days <= MAX_RETENTION.days:
            problems.append(
                {
                    "field": "retention_days",
                    "problem": f"must be from {MIN_RETENTION.days} to {MAX_RETENTION.days} days",
                }
            )
        if name is None and retention_days is None:
            problems.append({"field": "(body)", "problem": "must name name or retention_days"})
        if problems:
            raise ValidationError(problems)
        workspace = self._accounts.update_workspace(
            caller.workspace_id,
            name=name.strip() if name is not None else None,
            retention_days=retention_days,
        )
        changed = [
            field
            for field, value in (("name", name), ("retention_days", retention_days))
            if value is not None
        ]
        # The audit log holds ids and settings, never names: the fields changed and the new window.
        self._audit.by(
            caller,
            AuditAction.WORKSPACE_UPDATED,
            workspace.id,
            fields=changed,
            retention_days=workspace.retention.days,
        )
        return workspace

    def alert_emails(self, caller: Caller) -> AlertEmails:
        return caller.member.alert_emails

    def set_alert_emails(self, caller: Caller, alert_emails: AlertEmails) -> AlertEmails:
        if not self._accounts.set_alert_emails(caller.member, alert_emails):
            raise NotFoundError("There is no such member.")
        return alert_emails
