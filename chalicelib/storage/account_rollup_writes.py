"""The ingest worker's write of an account's rollup and headline numbers.

A sync puts the rollup item (``storage/account_rollups.py``) in its batch of snapshots and posts
(``storage/sync_writes.py``, ``put``), then records ``rollup_at`` (account detail reads the rollup only
for a connection that has one, and the series and posts otherwise) and, when the sync read the
profile, ``summary`` in the one UpdateItem that records the sync (``storage/sync_schedule.py``), on
the condition that the connection still syncs. When it no longer does, ``record`` sets them on the
condition that the connection still exists, and ``discard`` removes the rollup the batch put when it
does not: a sync that ends while its connection is deleted leaves no rollup behind unless the
worker stops between its batch and that removal.

Not one transaction: the embedded AWS (moto) copies every table a transaction touches, for its
rollback, so a transaction on the metrics table would cost per item stored there.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.domain.account_rollup import AccountRollup
from chalicelib.domain.connections import Connection
from chalicelib.domain.summary import AccountStats
from chalicelib.storage.account_rollups import (
    ROLLUP_SK,
    AccountRollupItem,
    AccountRollups,
    rollup_item,
    rollup_key,
)
from chalicelib.storage.base import is_conditional_failure
from chalicelib.storage.connections import ConnectionItem


class WorkerRollups(AccountRollups):
    """What the ingest worker does with rollups: read one by key, write it back."""

    def put(self, connection_id: str, rollup: AccountRollup) -> tuple[str, dict[str, Any]]:
        """The rollup as one put of a BatchWriteItem: its table's name and the item, serialized."""
        return AccountRollupItem.Meta.table_name, rollup_item(connection_id, rollup).serialize()

    def record(self, connection: Connection, rollup: AccountRollup, summary: AccountStats | None) -> bool:
        """Stores the rollup (and the summary, when given); False when the connection is gone."""
        item = ConnectionItem(f"WORKSPACE#{connection.workspace_id}", f"CONNECTION#{connection.id}")
        actions: list[Any] = [ConnectionItem.rollup_at.set(rollup.computed_at)]
        if summary is not None:
            actions.append(ConnectionItem.summary.set(summary.to_json()))
        try:
            item.update(actions=actions, condition=ConnectionItem.pk.exists())
        except UpdateError as exc:
            if not is_conditional_failure(exc):  # disconnected or deleted meanwhile: nothing to record
                raise
            return False
        rollup_item(connection.id, rollup).save()
        return True

    def discard(self, connection_id: str) -> None:
        """Removes the connection's rollup (its connection was deleted while the sync ran)."""
        AccountRollupItem(rollup_key(connection_id), ROLLUP_SK).delete()
