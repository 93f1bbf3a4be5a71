"""The ingest schedule in the connections table: who is due for a sync, and what their last sync did.

Due connections are read from the ``sync_due`` index (``SHARD#<n>`` by ``next_sync_at``), one Query
per shard, never a scan; claiming one moves its ``next_sync_at`` forward with a conditional write (a
lease: should the sync fail for good, the connection comes due again), and the sync, once done, moves it
to when a part of it next falls due (``domain/sync_cadence.py``).
Kept apart from ``connections.py`` so the functions that only schedule syncs get only these grants.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, cast

from pynamodb.constants import NONE
from pynamodb.exceptions import UpdateError

from chalicelib.domain.connections import Connection, DueConnection
from chalicelib.domain.summary import AccountStats
from chalicelib.domain.sync_cadence import SyncPart
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

    def record_sync(
        self,
        connection: Connection,
        at: datetime,
        parts: frozenset[SyncPart],
        next_sync_at: datetime,
        summary: AccountStats | None = None,
        rollup_at: datetime | None = None,
    ) -> bool:
        """Records what a sync did and moves the connection's ``sync_due`` entry to its next sync, with
        the account's headline numbers and when its rollup was written, when given: one UpdateItem.
        False when the connection no longer syncs (disconnected or waiting for reauthorization)."""
        actions: list[Any] = [ConnectionItem.next_sync_at.set(epoch(next_sync_at))]
        if parts:  # a sync that did nothing (nothing was due) moves only the schedule
            actions.append(ConnectionItem.last_sync_at.set(at))
        for part in parts:
            actions.append(_PART_TIMES[part].set(at))
        if summary is not None:
            actions.append(ConnectionItem.summary.set(summary.to_json()))
        if rollup_at is not None:
            actions.append(ConnectionItem.rollup_at.set(rollup_at))
        try:
            # The connection-level call: Model.update would ask for (and parse) the whole item back.
            ConnectionItem._get_connection().update_item(
                f"WORKSPACE#{connection.workspace_id}",
                f"CONNECTION#{connection.id}",
                actions=actions,
                condition=ConnectionItem.sync_shard.exists(),
                return_values=NONE,
            )
        except UpdateError as exc:
            # Disconnected, or waiting for reauthorization, meanwhile: nothing to record or schedule.
            if not is_conditional_failure(exc):
                raise
            return False
        return True


_PART_TIMES: Final = {
    SyncPart.PROFILE: ConnectionItem.profile_synced_at,
    SyncPart.COUNTERS: ConnectionItem.counters_synced_at,
    SyncPart.DEMOGRAPHICS: ConnectionItem.demographics_at,
}
