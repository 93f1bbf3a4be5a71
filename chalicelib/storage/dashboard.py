"""The dashboard's reads: each view's data in at most three DynamoDB calls, whatever the history.

Every read here is one GetItem or one Query; a Query costs one call per 1 MB page, and the items
are small (a day of profile counters is ~0.2 KB, a post ~0.5 KB), so two years of daily readings
or a few hundred posts are one page. Nothing here writes: the API function's role stays read-only
for these tables.

* one account and its open alerts: one Query of the workspace partition from ``ALERT#`` to
  ``CONNECTION#<id>``, filtered to that connection's item and its open alerts;
* the account's rollup (followers, top posts, cadence, kept by the ingest worker), when its
  connection has ``rollup_at``: one GetItem of ``SERIES#<conn>#ROLLUP`` (``storage/account_rollups.py``);
* a follower series between two days: one Query of ``SERIES#<conn>#PROFILE`` (account detail of
  an account without a rollup yet, i.e. until its first sync with rollups, reads it and the posts);
* a connection's posts, all or those created since a time: one Query of ``CONNECTION#<id>``
  (its sort key starts with the creation time; paged through, pages counted in the tests);
* one post: the same Query filtered on ``post_id`` (its sort key starts with its creation time,
  which the caller does not know);
* a post's counters over time: one Query of ``SERIES#<conn>#POST#<post id>``;
* the latest demographics: one Query, newest first, limit 1.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

from chalicelib.domain.account_rollup import AccountRollup
from chalicelib.domain.connections import Connection
from chalicelib.domain.snapshots import DemographicsSnapshot, PostSnapshot, SnapshotKind
from chalicelib.storage.account_rollups import AccountRollups
from chalicelib.storage.alerts import AlertRepository
from chalicelib.storage.base import get_live, live_condition
from chalicelib.storage.connections import AlertItem, ConnectionItem, _connection
from chalicelib.storage.metrics import SnapshotItem, SnapshotRepository, series_key
from chalicelib.storage.posts import PostItem, StoredPost, _stored


class DashboardReads:
    def connections(self, workspace_id: str) -> list[Connection]:
        """The workspace's connections, oldest first (one Query)."""
        items = ConnectionItem.query(
            f"WORKSPACE#{workspace_id}", ConnectionItem.sk.startswith("CONNECTION#"), consistent_read=True
        )
        return sorted((_connection(item) for item in items), key=lambda c: c.connected_at)

    def open_alert_counts(self, workspace_id: str) -> Counter[str]:
        """Open alerts per connection id (one Query)."""
        return AlertRepository().open_counts(workspace_id)

    def connection(self, workspace_id: str, connection_id: str) -> Connection | None:
        item = get_live(ConnectionItem, f"WORKSPACE#{workspace_id}", f"CONNECTION#{connection_id}")
        return _connection(item) if item else None

    def account(self, workspace_id: str, connection_id: str) -> tuple[Connection, int, bool] | None:
        """The connection, how many open alerts it has and whether it has a rollup, in one Query."""
        own = f"CONNECTION#{connection_id}"
        alerts = (
            (AlertItem.connection_id == connection_id)
            & AlertItem.sk.startswith("ALERT#")
            & AlertItem.acknowledged_at.does_not_exist()
        )
        items = ConnectionItem.query(
            f"WORKSPACE#{workspace_id}",
            ConnectionItem.sk.between("ALERT#", own),
            filter_condition=live_condition(ConnectionItem) & ((ConnectionItem.sk == own) | alerts),
            consistent_read=True,
        )
        found: Connection | None = None
        rolled_up = False
        open_alerts = 0
        for item in items:
            if item.sk == own:
                found = _connection(item)
                rolled_up = item.rollup_at is not None
            else:
                open_alerts += 1
        return (found, open_alerts, rolled_up) if found else None

    def rollup(self, connection_id: str) -> AccountRollup | None:
        """What the last sync rolled up for account detail (one GetItem); None before that sync."""
        return AccountRollups().get(connection_id)

    def follower_series(self, connection_id: str, since: date, until: date) -> list[tuple[date, int]]:
        """Daily follower readings, oldest first (days without a follower count left out)."""
        items = SnapshotItem.query(
            series_key(connection_id, SnapshotKind.PROFILE),
            SnapshotItem.sk.between(since.isoformat(), until.isoformat()),
            filter_condition=live_condition(SnapshotItem),
            attributes_to_get=["sk", "followers"],
        )
        return [
            (date.fromisoformat(item.sk), int(item.followers)) for item in items if item.followers is not None
        ]

    def posts(self, connection_id: str, since: datetime | None = None) -> list[StoredPost]:
        """The connection's posts (those created since ``since``, when given), newest first."""
        key = (
            PostItem.sk.startswith("POST#")
            if since is None
            else PostItem.sk.between(f"POST#{since.astimezone(UTC).isoformat()}", "POST#~")
        )
        items = PostItem.query(
            f"CONNECTION#{connection_id}",
            key,
            filter_condition=live_condition(PostItem),
            scan_index_forward=False,
        )
        return [_stored(connection_id, item) for item in items]

    def post(self, connection_id: str, post_id: str) -> StoredPost | None:
        items = PostItem.query(
            f"CONNECTION#{connection_id}",
            PostItem.sk.startswith("POST#"),
            filter_condition=live_condition(PostItem) & (PostItem.post_id == post_id),
        )
        for item in items:
            return _stored(connection_id, item)
        return None

    def post_history(self, connection_id: str, post_id: str) -> list[PostSnapshot]:
        """The post's counters per 6-hour window, oldest first."""
        return SnapshotRepository().post_history(connection_id, post_id)

    def latest_demographics(self, connection_id: str) -> DemographicsSnapshot | None:
        return SnapshotRepository().latest_demographics(connection_id)
