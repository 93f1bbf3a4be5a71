"""Connections as ingestion sees them: the connection service and store behind ``SyncTargets``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from chalicelib.domain.connections import Alert, Connection, SealedTokens
from chalicelib.domain.errors import ConflictError, DependencyUnavailableError, NotFoundError
from chalicelib.domain.platforms import TokenSet
from chalicelib.domain.summary import AccountStats
from chalicelib.domain.sync_cadence import SyncPart

if TYPE_CHECKING:
    from chalicelib.services.connections import RefreshOutcome


class ConnectionLookup(Protocol):
    def get_connection(
        self, workspace_id: str, connection_id: str
    ) -> tuple[Connection, SealedTokens] | None: ...
    def due_key(self, workspace_id: str, connection_id: str) -> str | None: ...
    def record_alert(self, alert: Alert) -> bool: ...


class AlertNotifier(Protocol):
    def alert_raised(self, alert: Alert, connection: Connection) -> list[str]: ...


class SyncRecorder(Protocol):
    def record_sync(
        self,
        connection: Connection,
        at: datetime,
        parts: frozenset[SyncPart],
        next_sync_at: datetime,
        summary: AccountStats | None = None,
        rollup_at: datetime | None = None,
    ) -> bool: ...


class TokenKeeper(Protocol):
    def tokens_for_use(
        self, workspace_id: str, connection_id: str, read: tuple[Connection, SealedTokens] | None = None
    ) -> TokenSet: ...
    def refresh(self, workspace_id: str, connection_id: str, *, force: bool = False) -> RefreshOutcome: ...
    def mark_needs_reauth(
        self, connection: Connection, reason: str, previous_due: str | None = None
    ) -> None: ...


class ConnectionSyncTargets:
    def __init__(
        self,
        store: ConnectionLookup,
        schedule: SyncRecorder,
        tokens: TokenKeeper,
        alert_emails: AlertNotifier,
    ) -> None:
        self._store = store
        self._schedule = schedule
        self._tokens = tokens
        self._alert_emails = alert_emails

    def connection(self, workspace_id: str, connection_id: str) -> Connection | None:
        loaded = self._store.get_connection(workspace_id, connection_id)
        return loaded[0] if loaded else None

    def open(self, workspace_id: str, connection_id: str) -> tuple[Connection, TokenSet | None] | None:
        """The connection and its tokens for use, from one read; the tokens are None when there is
        nothing to sync (gone meanwhile, or waiting for reconnection)."""
        loaded = self._store.get_connection(workspace_id, connection_id)
        return self.opened(loaded) if loaded is not None else None

    def opened(self, loaded: tuple[Connection, SealedTokens]) -> tuple[Connection, TokenSet | None]:
        """The connection and its tokens for use, from a read already made (see ``open``)."""
        connection = loaded[0]
        if connection.needs_reauth:
            return connection, None
        try:
            return connection, self._tokens.tokens_for_use(connection.workspace_id, connection.id, loaded)
        except (NotFoundError, ConflictError):
            return connection, None

    def tokens_for_use(self, workspace_id: str, connection_id: str) -> TokenSet | None:
        """Fresh tokens, or None when there is nothing to sync (gone, or waiting for reconnection).
        A refresh that cannot happen now raises, so the message is retried later."""
        try:
            return self._tokens.tokens_for_use(workspace_id, connection_id)
        except (NotFoundError, ConflictError):
            return None

    def renewed_tokens(self, workspace_id: str, connection_id: str) -> TokenSet | None:
        """Tokens after a forced refresh (the platform said the access token is dead)."""
        from chalicelib.services.connections import RefreshOutcome

        outcome = self._tokens.refresh(workspace_id, connection_id, force=True)
        if outcome in (RefreshOutcome.NEEDS_REAUTH, RefreshOutcome.GONE):
            return None
        if outcome is RefreshOutcome.RETRY_LATER:
            raise DependencyUnavailableError("The platform could not refresh the token now.")
        return self.tokens_for_use(workspace_id, connection_id)

    def needs_reauth(self, connection: Connection, reason: str) -> None:
        self._tokens.mark_needs_reauth(
            connection, reason, self._store.due_key(connection.workspace_id, connection.id)
        )

    def record_sync(
        self,
        connection: Connection,
        at: datetime,
        parts: frozenset[SyncPart],
        next_sync_at: datetime,
        summary: AccountStats | None = None,
        rollup_at: datetime | None = None,
    ) -> bool:
        """Records the sync (with the summary and rollup time, when given); False when the
        connection no longer syncs."""
        return self._schedule.record_sync(connection, at, parts, next_sync_at, summary, rollup_at)

    def record_alert(self, alert: Alert) -> None:
        """Records the alert and, the first time only (not on a redelivery), e-mails it."""
        if not self._store.record_alert(alert):
            return
        connection = self.connection(alert.workspace_id, alert.connection_id)
        if connection is not None:
            self._alert_emails.alert_raised(alert, connection)
