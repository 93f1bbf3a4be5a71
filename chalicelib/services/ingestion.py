"""Syncing one connection: profile counters, new posts, recent posts' counters, demographics.

``IngestionService.sync`` runs inside the ingest worker, one coroutine per SQS record, so a batch's
connections wait on their platforms concurrently (``AsyncPlatformClient`` bounds requests in flight);
storage calls are short and run in threads. Every write is keyed by its time window (see
``domain/snapshots.py``), so a redelivered message rewrites the same items and never double counts.

What is fetched:

* the profile, every sync (one snapshot per day);
* posts newer than the newest known one, paging until a known post (everything, on backfill);
* counters of posts younger than ``RECENT`` (all known posts on backfill), batched by the provider;
* demographics once a day, where the platform gives them.

Alerts follow from the new readings: a viral post (views far above the creator's own baseline at
the same age) and a follower spike or drop (day over day). Their ids derive from what they are
about, so a redelivery cannot raise the same alert twice.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Protocol

from chalicelib.domain.connections import Alert, Connection
from chalicelib.domain.insights import FollowerRule, ViralRule, follower_move, is_viral
from chalicelib.domain.platforms import Demographics, Post, PostMetrics, Profile, TokenSet
from chalicelib.domain.snapshots import (
    DEFAULT_RETENTION,
    DemographicsSnapshot,
    PostSnapshot,
    ProfileSnapshot,
    Snapshot,
)
from chalicelib.observability import logger
from chalicelib.storage.posts import MILESTONES, StoredPost

if TYPE_CHECKING:
    from chalicelib.platforms.base import PlatformProvider
    from chalicelib.platforms.http import AsyncPlatformClient, Deadline

RECENT: Final = timedelta(days=7)
BACKFILL_POSTS: Final = 500
MAX_RECEIVES: Final = 5  # the ingest queue's redrive limit: the last try raises a sync_failed alert


class SyncKind(enum.StrEnum):
    SYNC = "sync"
    BACKFILL = "backfill"


@dataclass(frozen=True)
class SyncRequest:
    workspace_id: str
    connection_id: str
    kind: SyncKind = SyncKind.SYNC

    @classmethod
    def from_message(cls, body: dict[str, Any]) -> SyncRequest:
        return cls(str(body["workspace_id"]), str(body["connection_id"]), SyncKind(body.get("kind", "sync")))


class SyncOutcome(enum.StrEnum):
    SYNCED = "synced"
    SKIPPED = "skipped"  # gone, disconnected, or needs reauthorization: nothing to retry


@dataclass(frozen=True)
class SyncReport:
    outcome: SyncOutcome
    snapshots: int = 0
    new_posts: int = 0
    alerts: list[str] = field(default_factory=list)


class SyncTargets(Protocol):
    """What ingestion needs of the connections: find one, open its tokens, record the sync."""

    def connection(self, workspace_id: str, connection_id: str) -> Connection | None: ...
    def tokens_for_use(self, workspace_id: str, connection_id: str) -> TokenSet | None: ...
    def renewed_tokens(self, workspace_id: str, connection_id: str) -> TokenSet | None: ...
    def needs_reauth(self, connection: Connection, reason: str) -> None: ...
    def record_sync(self, connection: Connection, at: datetime, demographics_at: datetime | None) -> None: ...
    def record_alert(self, alert: Alert) -> None: ...


class SnapshotStore(Protocol):
    def write(self, snapshots: Sequence[Snapshot], retention: timedelta) -> int: ...
    def profile_series(self, connection_id: str, since: Any, until: Any = None) -> list[ProfileSnapshot]: ...


class PostStore(Protocol):
    def recent(self, connection_id: str, limit: int = 500) -> list[StoredPost]: ...
    def save(self, posts: Sequence[StoredPost], retention: timedelta) -> int: ...


@dataclass(frozen=True)
class IngestionRules:
    viral: ViralRule = field(default_factory=ViralRule)
    followers: FollowerRule = field(default_factory=FollowerRule)
    retention: timedelta = DEFAULT_RETENTION
    demographics_hour_utc: int = 4


class IngestionService:
    def __init__(
        self,
        targets: SyncTargets,
        snapshots: SnapshotStore,
        posts: PostStore,
        providers: Callable[[Any], PlatformProvider | None],
        clock: Callable[[], datetime],
        rules: IngestionRules | None = None,
    ) -> None:
        self._targets = targets
        self._snapshots = snapshots
        self._posts = posts
        self._providers = providers
        self._now = clock
        self._rules = rules or IngestionRules()

    def sync_failed(self, request: SyncRequest, reason: str) -> None:
        """The last delivery failed too: the message goes to the DLQ, and people hear about it."""
        connection = self._targets.connection(request.workspace_id, request.connection_id)
        if connection is not None:
            self._targets.record_alert(self._alert(connection, "sync_failed", None, self._now()))
        logger.warning("sync failed for good", extra={"reason": reason})

    async def sync(
        self, request: SyncRequest, client: AsyncPlatformClient, deadline: Deadline | None
    ) -> SyncReport:
        """Raises ``PlatformError`` (rate limited, retry later) for SQS to redeliver; reauthorization
        problems end the sync quietly after marking the connection."""
        from chalicelib.platforms.base import AccessTokenExpiredError, ReauthorizeError

        connection = await asyncio.to_thread(
            self._targets.connection, request.workspace_id, request.connection_id
        )
        if connection is None or connection.needs_reauth:
            return SyncReport(SyncOutcome.SKIPPED)
        tokens = await asyncio.to_thread(
            self._targets.tokens_for_use, request.workspace_id, request.connection_id
        )
        provider = self._providers(connection.platform)
        if tokens is None or provider is None:
            return SyncReport(SyncOutcome.SKIPPED)
        try:
            try:
                return await self._sync(connection, tokens, provider, request.kind, client, deadline)
            except AccessTokenExpiredError:
                # The platform ended the access token before its stated expiry: renew it, try once more.
                tokens = await asyncio.to_thread(
                    self._targets.renewed_tokens, request.workspace_id, request.connection_id
                )
                if tokens is None:
                    return SyncReport(SyncOutcome.SKIPPED)
                return await self._sync(connection, tokens, provider, request.kind, client, deadline)
        except ReauthorizeError as exc:
            await asyncio.to_thread(self._targets.needs_reauth, connection, exc.kind)
            return SyncReport(SyncOutcome.SKIPPED)

    async def _sync(
        self,
        connection: Connection,
        tokens: TokenSet,
        provider: PlatformProvider,
        kind: SyncKind,
        client: AsyncPlatformClient,
        deadline: Deadline | None,
    ) -> SyncReport:
        now = self._now()
        backfill = kind is SyncKind.BACKFILL
        known = await asyncio.to_thread(self._posts.recent, connection.id, BACKFILL_POSTS)
        newest_known = None if backfill or not known else known[0].post.id
        profile, fresh_posts = await asyncio.gather(
            client.run(provider.profile(tokens), deadline),
            client.run(
                provider.posts(tokens, since_post_id=newest_known, max_posts=BACKFILL_POSTS), deadline
            ),
        )
        by_id = {stored.post.id: stored for stored in known}
        for post in fresh_posts:
            if post.id not in by_id:
                by_id[post.id] = StoredPost(connection.id, post, post.metrics or PostMetrics(post.id), now)
        tracked = [s for s in by_id.values() if backfill or now - s.post.created_at <= RECENT]
        readings = await client.run(provider.post_metrics(tokens, [s.post.id for s in tracked]), deadline)
        demographics = None
        if self._demographics_due(connection, now):
            demographics = await client.run(provider.demographics(tokens), deadline)

        updated = [s.with_reading(readings[s.post.id], now) for s in tracked if s.post.id in readings]
        snapshots = self._snapshots_of(connection, now, profile, updated, demographics)
        alerts = await asyncio.to_thread(self._alerts, connection, now, profile, updated, known)
        await asyncio.to_thread(self._snapshots.write, snapshots, self._rules.retention)
        await asyncio.to_thread(self._posts.save, updated, self._rules.retention)
        for alert in alerts:
            await asyncio.to_thread(self._targets.record_alert, alert)
        await asyncio.to_thread(
            self._targets.record_sync, connection, now, now if demographics is not None else None
        )
        new_posts = sum(1 for post in fresh_posts if post.id not in {s.post.id for s in known})
        logger.info(
            "synced",
            extra={
                "platform": connection.platform.value,
                "snapshots": len(snapshots),
                "new_posts": new_posts,
            },
        )
        return SyncReport(SyncOutcome.SYNCED, len(snapshots), new_posts, [alert.kind for alert in alerts])

    def _demographics_due(self, connection: Connection, now: datetime) -> bool:
        """Once a day, at the first sync after the off-peak hour; at once when never fetched."""
        last = connection.demographics_at
        if last is None:
            return True
        today_at = now.replace(hour=self._rules.demographics_hour_utc, minute=0, second=0, microsecond=0)
        return now >= today_at > last

    def _snapshots_of(
        self,
        connection: Connection,
        now: datetime,
        profile: Profile,
        posts: Sequence[StoredPost],
        demographics: Demographics | None,
    ) -> list[Snapshot]:
        snapshots: list[Snapshot] = [ProfileSnapshot(connection.id, now, profile)]
        snapshots += [PostSnapshot(connection.id, now, stored.metrics) for stored in posts]
        if demographics is not None:
            snapshots.append(DemographicsSnapshot(connection.id, now, demographics))
        return snapshots

    def _alerts(
        self,
        connection: Connection,
        now: datetime,
        profile: Profile,
        updated: Sequence[StoredPost],
        known: Sequence[StoredPost],
    ) -> list[Alert]:
        alerts = [
            self._alert(connection, "viral_post", post.post, now) for post in self._viral(updated, known, now)
        ]
        yesterday = self._followers_yesterday(connection, now)
        move = follower_move(yesterday, profile.followers, self._rules.followers)
        if move is not None:
            alerts.append(self._alert(connection, move.value, None, now))
        return alerts

    def _viral(
        self, updated: Sequence[StoredPost], known: Sequence[StoredPost], now: datetime
    ) -> list[StoredPost]:
        viral = []
        for stored in updated:
            age = now - stored.post.created_at
            passed = [name for name, milestone in MILESTONES.items() if age >= milestone]
            if not passed or stored.metrics.views is None:
                continue
            milestone = passed[-1]
            older = [
                s for s in known if s.post.created_at < stored.post.created_at and milestone in s.views_at
            ]
            baseline = [s.views_at[milestone] for s in older[: self._rules.viral.baseline_posts]]
            if is_viral(stored.metrics.views, baseline, self._rules.viral):
                viral.append(stored)
        return viral

    def _followers_yesterday(self, connection: Connection, now: datetime) -> int | None:
        day = now.date() - timedelta(days=1)
        series = self._snapshots.profile_series(connection.id, day, day)
        return series[-1].profile.followers if series else None

    def _alert(self, connection: Connection, kind: str, post: Post | None, now: datetime) -> Alert:
        # One alert per subject per day, whatever the number of deliveries.
        subject = post.id if post is not None else ""
        day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        identity = f"{connection.id}|{kind}|{subject}|{day.date().isoformat()}"
        return Alert(
            id=hashlib.sha256(identity.encode()).hexdigest()[:32],
            workspace_id=connection.workspace_id,
            kind=kind,
            connection_id=connection.id,
            platform=connection.platform,
            account_name=connection.account_name,
            created_at=day,
        )
