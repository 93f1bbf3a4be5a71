"""Recording and reading the audit log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.audit import AuditAction, AuditEntry
from chalicelib.domain.identity import Caller, Member, Origin
from chalicelib.domain.paging import Page
from chalicelib.observability import logger
from chalicelib.security.tokens import new_id


class AuditStore(Protocol):
    def record(self, entry: AuditEntry) -> None: ...

    def list(
        self,
        workspace_id: str,
        *,
        actor_id: str | None = None,
        action: AuditAction | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[AuditEntry]: ...


class AuditLog:
    def __init__(self, store: AuditStore, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._now = clock

    def record(
        self,
        action: AuditAction,
        *,
        workspace_id: str,
        actor_id: str | None,
        target: str,
        origin: Origin | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        where = origin or Origin()
        entry = AuditEntry(
            id=new_id(),
            workspace_id=workspace_id,
            action=action,
            at=self._now(),
            actor_id=actor_id,
            target=target,
            ip=where.ip,
            user_agent=where.user_agent,
            details=details or {},
        )
        self._store.record(entry)
        logger.info("audit", extra={"audit_action": action.value, "workspace_id": workspace_id})

    def by(self, caller: Caller, action: AuditAction, target: str, **details: Any) -> None:
        self.record(
            action,
            workspace_id=caller.workspace_id,
            actor_id=caller.member.id,
            target=target,
            origin=caller.origin,
            details=details,
        )

    def by_member(self, member: Member, action: AuditAction, origin: Origin, **details: Any) -> None:
        """A member acting on their own account (signing in, resetting their password)."""
        self.record(
            action,
            workspace_id=member.workspace_id,
            actor_id=member.id,
            target=member.id,
            origin=origin,
            details=details,
        )

    def list(
        self,
        caller: Caller,
        *,
        actor_id: str | None,
        action: AuditAction | None,
        limit: int,
        cursor: str | None,
    ) -> Page[AuditEntry]:
        return self._store.list(
            caller.workspace_id, actor_id=actor_id, action=action, limit=limit, cursor=cursor
        )
