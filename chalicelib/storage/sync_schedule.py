"""The ingest schedule in the connections table: who is due for a sync, and what their last sync did.

Due connections are read from the ``sync_due`` index (``SHARD#<n>`` by ``next_sync_at``), one Query
per shard, never a scan; claiming one moves its ``next_sync_at`` forward with a conditional write.
Kept apart from ``connections.py`` so the functions that only schedule syncs get only these grants.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from pynamodb.exceptions import UpdateError

from chalicelib.domain.connections import Connection, DueConnection
from chalicelib.storage.base import epoch, is_conditional_failure
from chalicelib.storage.connections import SHARDS, ConnectionItem


class SyncSchedule:
    shards: int = SHARDS

    def due_for_sync(self, shard: int, now: datetime, limit: int) -> list[DueConnection]:
        items = ConnectionItem.sync_due.query(
            f"SHARD#{shard}", ConnectionItem.next_sync_at <= epoch(now), limit=limit
        )
        due = []
        for item in items:
            stored = cast(ConnectionItem, item)
            due.append(
                DueConnection(stored.workspace_id, stored.connection_id, int(stored.next_sync_at or 0))
            )
        return due

    def reschedule(self, due: DueConnection, next_sync_at: datetime) -> bool:
        """Claims a due connection by moving it forward; False when someone else already did."""
        try:
            ConnectionItem(f"WORKSPACE#{due.workspace_id}", f"CONNECTION#{due.connection_id}").update(
                actions=[ConnectionItem.next_sync_at.set(epoch(next_sync_at))],
                condition=ConnectionItem.next_sync_at == due.next_sync_at,
            )
        except UpdateError as exc:
            if is_conditional_failure(exc):
                return False
            raise
        return True

    def record_sync(self, connection: Connection, at: datetime, demographics_at: datetime | None) -> None:
        actions: list[Any] = [ConnectionItem.last_sync_at.set(at)]
        if demographics_at is not None:
            actions.append(ConnectionItem.demographics_at.set(demographics_at))
        try:
            ConnectionItem(f"WORKSPACE#{connection.workspace_id}", f"CONNECTION#{connection.id}").update(
                actions=actions, condition=ConnectionItem.pk.exists()
            )
        except UpdateError as exc:
            if not is_conditional_failure(exc):  # disconnected meanwhile: nothing to record
                raise
