"""The dashboard's views of a workspace's accounts, each within a fixed number of reads.

Roster: the workspace's connections (each carrying the summary its last sync stored), its open
alerts and its members: three Queries. Account detail: the connection with its open alerts and the
rollup its last sync stored (``domain/account_rollup.py``): two, whatever the range; an account
without a rollup yet (not synced since rollups exist) reads the follower series in range and the
posts instead: three. Posts table: the connection and the posts, ordered and paged in memory.
Post detail: the connection, the post and its history. Demographics: the
connection and the latest snapshot. Who sees what follows ``Connection.visible_to``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Protocol

from chalicelib.domain.account_rollup import AccountRollup
from chalicelib.domain.connections import Connection
from chalicelib.domain.dashboard import (
    PostCursor,
    PostSort,
    SortOrder,
    cadence,
    cadence_start,
    order_posts,
    page_of,
    range_days,
    top_posts,
)
from chalicelib.domain.dashboard_views import (
    AccountCard,
    AccountView,
    CreatorGroup,
    DemographicsView,
    HistoryPoint,
    PostRow,
    PostsPage,
    PostView,
    RosterView,
)
from chalicelib.domain.errors import NotFoundError
from chalicelib.domain.identity import Caller, Member
from chalicelib.domain.snapshots import DemographicsSnapshot, PostSnapshot
from chalicelib.storage.posts import MILESTONES, StoredPost

FORMER_MEMBER = "Former member"
MAX_ID_LENGTH = 200


class DashboardStore(Protocol):
    def connections(self, workspace_id: str) -> list[Connection]: ...
    def open_alert_counts(self, workspace_id: str) -> Counter[str]: ...
    def connection(self, workspace_id: str, connection_id: str) -> Connection | None: ...
    def account(self, workspace_id: str, connection_id: str) -> tuple[Connection, int, bool] | None: ...
    def rollup(self, connection_id: str) -> AccountRollup | None: ...
    def follower_series(self, connection_id: str, since: date, until: date) -> list[tuple[date, int]]: ...
    def posts(self, connection_id: str, since: datetime | None = None) -> list[StoredPost]: ...
    def post(self, connection_id: str, post_id: str) -> StoredPost | None: ...
    def post_history(self, connection_id: str, post_id: str) -> list[PostSnapshot]: ...
    def latest_demographics(self, connection_id: str) -> DemographicsSnapshot | None: ...


class MemberDirectory(Protocol):
    def list_members(self, workspace_id: str) -> list[Member]: ...


def _row(stored: StoredPost) -> PostRow:
    return PostRow(stored.post, stored.metrics)


class DashboardService:
    def __init__(
        self, store: DashboardStore, members: MemberDirectory, clock: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._members = members
        self._now = clock

    def roster(self, caller: Caller) -> RosterView:
        visible = [c for c in self._store.connections(caller.workspace_id) if c.visible_to(caller.member)]
        alerts = self._store.open_alert_counts(caller.workspace_id) if visible else Counter[str]()
        members = {m.id: m for m in self._members.list_members(caller.workspace_id)} if visible else {}
        by_owner: dict[str, list[AccountCard]] = {}
        for connection in visible:
            card = AccountCard(connection, alerts.get(connection.id, 0))
            by_owner.setdefault(connection.owner_member_id, []).append(card)
        groups = []
        for owner, cards in by_owner.items():
            member = members.get(owner)
            name = (member.name or member.email) if member else FORMER_MEMBER
            groups.append(CreatorGroup(member.id if member else None, name, cards))
        groups.sort(key=lambda g: (g.name.casefold(), g.member_id or ""))
        return RosterView(self._now(), groups)

    def account(self, caller: Caller, connection_id: str, range_name: str) -> AccountView:
        loaded = (
            self._store.account(caller.workspace_id, connection_id) if _plausible(connection_id) else None
        )
        if loaded is None or not loaded[0].visible_to(caller.member):
            raise _not_found()
        connection, open_alerts, rolled_up = loaded
        now = self._now()
        since, until = range_days(range_name, now.date())
        card = AccountCard(connection, open_alerts)
        # None also when the rollup expired (no sync for a whole retention): read the series then.
        rollup = self._store.rollup(connection.id) if rolled_up else None
        if rollup is not None:
            return AccountView(
                card=card,
                since=since,
                until=until,
                followers=rollup.followers_between(since, until),
                cadence=cadence(rollup.posted, now),
                top_posts=[
                    PostRow(post, metrics) for post, metrics in rollup.top_posts_since(range_name, since)
                ],
            )
        followers = self._store.follower_series(connection.id, since, until)
        # Only the posts the view shows: the range's (top posts) and the cadence's 12 weeks.
        first_day = min(since, cadence_start(now))
        read_since = datetime.combine(first_day, time.min, tzinfo=UTC)
        rows = [_row(stored) for stored in self._store.posts(connection.id, read_since)]
        by_id = {row.post.id: row for row in rows}
        in_range = [row.ranked for row in rows if row.post.created_at.date() >= since]
        return AccountView(
            card=card,
            since=since,
            until=until,
            followers=followers,
            cadence=cadence([row.post.created_at for row in rows], now),
            top_posts=[by_id[ranked.id] for ranked in top_posts(in_range)],
        )

    def posts(
        self,
        caller: Caller,
        connection_id: str,
        *,
        sort: PostSort,
        order: SortOrder,
        limit: int | None,
        cursor: str | None,
    ) -> PostsPage:
        """One page of the posts table; ``limit`` None: every post (the CSV export)."""
        connection = self._visible(caller, connection_id)
        after = PostCursor.decode(cursor, connection.id, sort, order) if cursor else None
        rows = {stored.post.id: _row(stored) for stored in self._store.posts(connection.id)}
        ordered = order_posts([row.ranked for row in rows.values()], sort, order)
        page, last = page_of(ordered, after, limit if limit is not None else len(ordered) or 1)
        next_cursor = None
        if last is not None:
            next_cursor = PostCursor(
                connection.id, sort, order, last.value(sort), last.created_at, last.id
            ).encode()
        return PostsPage([rows[ranked.id] for ranked in page], next_cursor, len(ordered))

    def post(self, caller: Caller, connection_id: str, post_id: str) -> PostView:
        connection = self._visible(caller, connection_id)
        stored = self._store.post(connection.id, post_id) if _plausible(post_id) else None
        if stored is None:
            raise NotFoundError("There is no such post.")
        history = [
            HistoryPoint(snapshot.taken_at, snapshot.metrics)
            for snapshot in self._store.post_history(connection.id, post_id)
        ]
        views_at = {name: stored.views_at[name] for name in MILESTONES if name in stored.views_at}
        return PostView(_row(stored), views_at, history)

    def demographics(self, caller: Caller, connection_id: str) -> DemographicsView:
        connection = self._visible(caller, connection_id)
        snapshot = self._store.latest_demographics(connection.id)
        if snapshot is None:
            return DemographicsView.of(None, None)
        return DemographicsView.of(snapshot.demographics, snapshot.taken_at)

    def _visible(self, caller: Caller, connection_id: str) -> Connection:
        connection = (
            self._store.connection(caller.workspace_id, connection_id) if _plausible(connection_id) else None
        )
        if connection is None or not connection.visible_to(caller.member):
            raise _not_found()
        return connection


def _plausible(identifier: str) -> bool:
    """Ids are short; a longer one names nothing (and would overflow a DynamoDB key)."""
    return 0 < len(identifier) <= MAX_ID_LENGTH


def _not_found() -> NotFoundError:
    return NotFoundError("There is no such connection.")
