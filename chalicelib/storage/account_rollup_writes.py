"""The ingest worker's write of an account's rollup and headline numbers.

First the connection: ``rollup_at`` (account detail reads the rollup only for a connection that has
one, and the series and posts otherwise) and, when the sync read the profile, ``summary``, on the
condition that the connection still exists; then, only if it does, the rollup
(``storage/account_rollups.py``). The deletion worker removes the rollup after the connection, so a
sync that ends while a connection is deleted cannot leave a rollup behind unless its put lands
between those two deletions, a window as narrow as the one its snapshots have.

Not one transaction: the embedded AWS (moto) copies every table a transaction touches, for its
rollback, so a transaction on the metrics table would cost per item stored there.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.domain.account_rollup import AccountRollup
from chalicelib.domain.connections import Connection
from chalicelib.domain.summary import AccountStats
from chalicelib.storage.account_rollups import AccountRollups, rollup_item
from chalicelib.storage.base import is_conditional_failure
from chalicelib.storage.connections import ConnectionItem


class WorkerRollups(AccountRollups):
    """What the ingest worker does with rollups: read one by key, write it back."""

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
