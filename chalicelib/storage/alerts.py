"""Reading and acknowledging alerts (items ``ALERT#<created>#<id>`` in the workspace's partition).

Access patterns: a workspace's alerts newest first, optionally only the open ones and only those
of some connections (exactly one Query per page, filtered, so a page may hold fewer than asked);
one alert by its sort key (GetItem); an acknowledgement (one conditional UpdateItem: the first one
wins, later ones change nothing); how many open alerts each connection has (one Query projecting
``connection_id`` only).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import datetime

from pynamodb.exceptions import UpdateError

from chalicelib.domain.connections import Alert
from chalicelib.domain.paging import Page
from chalicelib.storage.base import get_live, is_conditional_failure, live_condition
from chalicelib.storage.connections import AlertItem, alert_of
from chalicelib.storage.cursors import KeyShape, decode_cursor, encode_cursor, first_page


class AlertRepository:
    def page(
        self,
        workspace_id: str,
        *,
        open_only: bool,
        connection_ids: Collection[str] | None,
        limit: int,
        cursor: str | None,
    ) -> Page[Alert]:
        """Newest first; ``connection_ids`` None means every connection's alerts.

        One Query of ``limit`` items: the filter may keep fewer (or none), and the page's cursor
        is DynamoDB's LastEvaluatedKey, so the list ends only when the cursor is None.
        """
        if connection_ids is not None and not connection_ids:
            return Page([], None)
        partition = f"WORKSPACE#{workspace_id}"
        condition = live_condition(AlertItem)
        if open_only:
            condition = condition & AlertItem.acknowledged_at.does_not_exist()
        if connection_ids is not None:
            condition = condition & AlertItem.connection_id.is_in(*sorted(connection_ids))
        results = AlertItem.query(
            partition,
            AlertItem.sk.startswith("ALERT#"),
            filter_condition=condition,
            scan_index_forward=False,
            limit=limit,
            consistent_read=True,
            last_evaluated_key=decode_cursor(cursor, KeyShape({"pk": partition}, {"sk": "ALERT#"})),
        )
        items, last_evaluated_key = first_page(AlertItem, results)
        return Page([alert_of(item) for item in items], encode_cursor(last_evaluated_key))

    def open_counts(self, workspace_id: str) -> Counter[str]:
        """Open alerts per connection id."""
        items = AlertItem.query(
            f"WORKSPACE#{workspace_id}",
            AlertItem.sk.startswith("ALERT#"),
            filter_condition=live_condition(AlertItem) & AlertItem.acknowledged_at.does_not_exist(),
            attributes_to_get=["connection_id"],
            consistent_read=True,
        )
        return Counter(item.connection_id for item in items)

    def get(self, workspace_id: str, sort_key: str) -> Alert | None:
        item = get_live(AlertItem, f"WORKSPACE#{workspace_id}", f"ALERT#{sort_key}")
        return alert_of(item) if item else None

    def acknowledge(self, workspace_id: str, sort_key: str, member_id: str, at: datetime) -> Alert | None:
        """The alert, acknowledged by ``member_id`` at ``at`` unless someone did it first."""
        item = AlertItem(f"WORKSPACE#{workspace_id}", f"ALERT#{sort_key}")
        try:
            item.update(
                actions=[AlertItem.acknowledged_at.set(at), AlertItem.acknowledged_by.set(member_id)],
                condition=AlertItem.pk.exists() & AlertItem.acknowledged_at.does_not_exist(),
            )
        except UpdateError as exc:
            if not is_conditional_failure(exc):
                raise
            return self.get(workspace_id, sort_key)  # gone, or acknowledged by someone first
        return alert_of(item)
