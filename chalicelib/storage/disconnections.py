"""Marking a connection disconnected when its person removed the app: tokens gone, syncs stopped.

Kept apart from ``connections.py`` so what the webhooks need is one small, separately granted module.
The connection item stays (with its gsi1 ``PLATFORMUSER#...`` entry) so that a later data-deletion
request for the same person still finds every item to delete.
"""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.connections import Connection, ConnectionStatus
from chalicelib.storage.base import is_conditional_failure, shared_connection
from chalicelib.storage.connections import (
    ConnectionItem,
    RefreshDueItem,
    _shard,
)


class Disconnections:
    def mark_disconnected(self, connection: Connection, reason: str) -> bool:
        """Deletes the token envelopes and the sync and refresh schedule; True if this call did it."""
        key = (f"WORKSPACE#{connection.workspace_id}", f"CONNECTION#{connection.id}")
        try:
            item = ConnectionItem.get(*key, consistent_read=True)
        except DoesNotExist:
            return False
        try:
            with TransactWrite(connection=shared_connection()) as transaction:
                transaction.update(
                    ConnectionItem(*key),
                    actions=[
                        ConnectionItem.status.set(ConnectionStatus.DISCONNECTED.value),
                        ConnectionItem.status_reason.set(reason),
                        ConnectionItem.access_envelope.set(""),
                        ConnectionItem.refresh_envelope.remove(),
                        ConnectionItem.sync_shard.remove(),
                        ConnectionItem.next_sync_at.remove(),
                        ConnectionItem.refresh_due_sk.remove(),
                        ConnectionItem.refresh_lease.remove(),
                        ConnectionItem.refresh_lease_until.remove(),
                    ],
                    condition=ConnectionItem.status != ConnectionStatus.DISCONNECTED.value,
                )
                if item.refresh_due_sk:
                    transaction.delete(
                        RefreshDueItem(f"REFRESHDUE#{_shard(connection.id)}", item.refresh_due_sk)
                    )
        except TransactWriteError as exc:
            if is_conditional_failure(exc):
                return False
            raise
        return True
