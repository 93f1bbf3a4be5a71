"""The workspace's alerts: listing them (newest first) and acknowledging them.

A member sees the alerts of the accounts they can see (``Connection.visible_to``): a creator, those
of the accounts they connected. Acknowledging is idempotent: the first acknowledgement is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Protocol

from chalicelib.domain.alerts import sort_key_of
from chalicelib.domain.connections import Alert, Connection, SealedTokens
from chalicelib.domain.errors import NotFoundError
from chalicelib.domain.identity import Caller
from chalicelib.domain.paging import Page
from chalicelib.domain.permissions import Role


class AlertStore(Protocol):
    def page(
        self,
        workspace_id: str,
        *,
        open_only: bool,
        connection_ids: Collection[str] | None,
        limit: int,
        cursor: str | None,
    ) -> Page[Alert]: ...
    def get(self, workspace_id: str, sort_key: str) -> Alert | None: ...
    def acknowledge(self, workspace_id: str, sort_key: str, member_id: str, at: datetime) -> Alert | None: ...


class ConnectionDirectory(Protocol):
    def list_connections(self, workspace_id: str) -> list[Connection]: ...
    def get_connection(
        self, workspace_id: str, connection_id: str
    ) -> tuple[Connection, SealedTokens] | None: ...


class AlertService:
    def __init__(
        self, store: AlertStore, connections: ConnectionDirectory, clock: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._connections = connections
        self._now = clock

    def list(self, caller: Caller, *, open_only: bool, limit: int, cursor: str | None) -> Page[Alert]:
        own: list[str] | None = None
        if caller.member.role is Role.CREATOR:
            own = [
                c.id
                for c in self._connections.list_connections(caller.workspace_id)
                if c.visible_to(caller.member)
            ]
        return self._store.page(
            caller.workspace_id, open_only=open_only, connection_ids=own, limit=limit, cursor=cursor
        )

    def acknowledge(self, caller: Caller, public_id: str) -> Alert:
        sort_key = sort_key_of(public_id)
        alert = self._store.get(caller.workspace_id, sort_key) if sort_key else None
        if sort_key is None or alert is None or not self._may_see(caller, alert):
            raise NotFoundError("There is no such alert.")
        if alert.acknowledged_at is not None:
            return alert
        acknowledged = self._store.acknowledge(caller.workspace_id, sort_key, caller.member.id, self._now())
        if acknowledged is None:  # expired or deleted between the two calls
            raise NotFoundError("There is no such alert.")
        return acknowledged

    def _may_see(self, caller: Caller, alert: Alert) -> bool:
        if caller.member.role is not Role.CREATOR:
            return True
        loaded = self._connections.get_connection(caller.workspace_id, alert.connection_id)
        return loaded is not None and loaded[0].visible_to(caller.member)
