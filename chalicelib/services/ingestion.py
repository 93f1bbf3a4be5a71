"""Syncing one connection: profile counters, new posts, recent posts' counters, demographics.

``IngestionService.sync`` runs inside the ingest worker, one coroutine per SQS record, so a batch's
connections wait on their platforms concurrently (``AsyncPlatformClient`` bounds requests in flight);
storage calls are short and run in threads. Every write is keyed by its time window (see
``domain/snapshots.py``), so a redelivered message rewrites the same items and never double counts.

What is fetched, each part on its own cadence (``domain/sync_cadence.py``; everything on backfill):

* the profile (one snapshot per day) and posts newer than the newest known one, paging until a known
  post (everything, on backfill);
* counters of posts younger than ``RECENT`` (all known posts on backfill), batched by the provider;
* demographics once a day after an off-peak hour, where the platform gives them.

A sync does only the parts that are due, then moves the connection's next sync to when a part next
falls due. Each part succeeds or fails on its own: what succeeded is saved and recorded, a part that
failed is not recorded (so it is still due) and its error is raised for SQS to redeliver the message.
A lasting refusal of demographics is stored as "not available" instead. A new post is stored only
with its reading, so one whose counters failed is found new again on redelivery.

A backfill reads counters a chunk at a time, newest first; when its share of posts is read or its
time runs short, it saves what it read and sends a follow-up message for the older posts
(``SyncRequest.before``), so an account with thousands of posts is backfilled across messages.

Alerts follow from the new readings: a viral post (views far above the creator's own baseline at
the same age) and a follower spike or drop (day over day). Their ids derive from what they are
about, so a redelivery cannot raise the same alert twice.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar

from chalicelib.domain.account_rollup import AccountRollup, roll_up
from chalicelib.domain.connections import Alert, Connection, SealedTokens
from chalicelib.domain.identity import Workspace
from chalicelib.domain.insights import FollowerRule, ViralRule, follower_move, is_viral, views_multiple
from chalicelib.domain.platforms import (
    Demographics,
    DemographicsUnavailableReason,
    Post,
    PostMetrics,
    Profile,
    TokenSet,
)
from chalicelib.domain.snapshots import (
    DEFAULT_RETENTION,
    DemographicsSnapshot,
    PostSnapshot,
    ProfileSnapshot,
    Snapshot,
)
from chalicelib.domain.summary import HISTORY_DAYS, AccountStats, summarize
from chalicelib.domain.sync_cadence import ALL_PARTS, Cadences, SyncPart, SyncTimes
from chalicelib.observability import logger
from chalicelib.storage.posts import MILESTONES, StoredPost, post_sort_key
from chalicelib.storage.sync_writes import SyncWrites, WriteBatch

if TYPE_CHECKING:
    from chalicelib.platforms.base import PlatformError, PlatformProvider
    from chalicelib.platforms.http import AsyncPlatformClient, Deadline
    from chalicelib.storage.sync_reads import StartingItems

T = TypeVar("T")

RECENT: Final = timedelta(days=7)
KNOWN_POSTS: Final = 500  # posts a regular sync reads back: the newest known, the recent, baselines
NEW_POSTS: Final = 500  # new posts a regular sync pages through before it stops looking
# A backfill pages to the end of the platform's list (each provider bounds its own paging) and reads
# back every stored post; it reads counters this many posts at a time, and stops for a follow-up
# message when fewer than BACKFILL_RESERVE seconds are left (one chunk's calls and the writes).
BACKFILL_LIST: Final = 1_000_000
BACKFILL_KNOWN: Final = 100_000
BACKFILL_CHUNK: Final = 100
BACKFILL_RESERVE: Final = 15.0
# A follow-up sent after a throttle waits out its retry_after in SQS, as far as SQS can delay a message.
FOLLOW_UP_MAX_DELAY: Final = 900


class SyncKind(enum.StrEnum):
    SYNC = "sync"
    BACKFILL = "backfill"


@dataclass(frozen=True)
class SyncRequest:
    """``before``: a backfill's follow-up reads the counters of the posts older than this post sort
    key (``storage/posts.py``); the message that sent it read every newer one."""

    workspace_id: str
    connection_id: str
    kind: SyncKind = SyncKind.SYNC
    before: str | None = None

    @classmethod
    def from_message(cls, body: dict[str, Any]) -> SyncRequest:
        before = body.get("before")
        return cls(
            str(body["workspace_id"]),
            str(body["connection_id"]),
            SyncKind(body.get("kind", "sync")),
            None if before is None else str(before),
        )

    def as_message(self) -> dict[str, Any]:
        body = {
            "workspace_id": self.workspace_id,
            "connection_id": self.connection_id,
            "kind": self.kind.value,
        }
        return body if self.before is None else {**body, "before": self.before}


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
    def open(self, workspace_id: str, connection_id: str) -> tuple[Connection, TokenSet | None] | None: ...
    def opened(self, loaded: tuple[Connection, SealedTokens]) -> tuple[Connection, TokenSet | None]: ...
    def renewed_tokens(self, workspace_id: str, connection_id: str) -> TokenSet | None: ...
    def needs_reauth(self, connection: Connection, reason: str) -> None: ...
    def record_sync(
        self,
        connection: Connection,
        at: datetime,
        parts: frozenset[SyncPart],
        next_sync_at: datetime,
        summary: AccountStats | None = None,
        rollup_at: datetime | None = None,
    ) -> bool: ...
    def record_alert(self, alert: Alert) -> None: ...


class SnapshotStore(Protocol):
    def profile_series(self, connection_id: str, since: Any, until: Any = None) -> list[ProfileSnapshot]: ...


class PostStore(Protocol):
    def recent(self, connection_id: str, limit: int = 500) -> list[StoredPost]: ...


class SyncWriter(Protocol):
    """Writes a sync's snapshots and posts (storage/sync_writes.py): batches built, then sent."""

    def batches(
        self,
        snapshots: Sequence[Snapshot],
        posts: Sequence[StoredPost],
        retention: timedelta,
        others: Sequence[tuple[str, dict[str, Any]]] = (),
    ) -> list[WriteBatch]: ...
    def write(self, batch: WriteBatch) -> int: ...


class IngestMessages(Protocol):
    """The ingest queue, as the worker uses it (storage/ingest_messages.py)."""

    def send(self, body: dict[str, Any], delay_seconds: int = 0) -> None: ...
    def delay(self, receipt_handle: str, seconds: float) -> int: ...


class WorkspaceLookup(Protocol):
    def get_workspace(self, workspace_id: str) -> Workspace | None: ...


class WorkspaceRetentions:
    """Each workspace's retention window, read at most once for one worker invocation (a batch);
    records of the same workspace that sync at once share the one read. ``read``: workspaces already
    read (None: there is no such workspace)."""

    def __init__(
        self,
        workspaces: WorkspaceLookup | None,
        default: timedelta,
        read: Mapping[str, Workspace | None] | None = None,
    ) -> None:
        self._workspaces = workspaces
        self._default = default
        self._read = dict(read or {})
        self._reads: dict[str, asyncio.Future[timedelta]] = {}

    async def of(self, workspace_id: str) -> timedelta:
        if workspace_id in self._read:
            workspace = self._read[workspace_id]
            return workspace.retention if workspace is not None else self._default
        if self._workspaces is None:
            return self._default
        read = self._reads.get(workspace_id)
        if read is None or (read.done() and read.exception() is not None):
            read = self._reads[workspace_id] = asyncio.ensure_future(
                asyncio.to_thread(self._retention, workspace_id)
            )
        return await asyncio.shield(read)

    def _retention(self, workspace_id: str) -> timedelta:
        assert self._workspaces is not None
        workspace = self._workspaces.get_workspace(workspace_id)
        return workspace.retention if workspace is not None else self._default


class StartReader(Protocol):
    """Reads a batch's connections and their workspaces at once (storage/sync_reads.py)."""

    def read(self, connections: Sequence[tuple[str, str]]) -> StartingItems: ...


@dataclass(frozen=True)
class SyncBatch:
    """What the syncs of one worker invocation share: the workspaces' retentions and the
    connections read ahead, by (workspace id, connection id); None: no such connection."""

    retentions: WorkspaceRetentions
    connections: Mapping[tuple[str, str], tuple[Connection, SealedTokens] | None] = field(
        default_factory=dict
    )


class RollupStore(Protocol):
    """Account rollups (domain/account_rollup.py): one read by key, written back in the sync's batch
    (storage/account_rollup_writes.py)."""

    def get(self, connection_id: str) -> AccountRollup | None: ...
    def put(self, connection_id: str, rollup: AccountRollup) -> tuple[str, dict[str, Any]]: ...
    def record(self, connection: Connection, rollup: AccountRollup, summary: AccountStats | None) -> bool: ...
    def discard(self, connection_id: str) -> None: ...


@dataclass(frozen=True)
class IngestionRules:
    viral: ViralRule = field(default_factory=ViralRule)
    followers: FollowerRule = field(default_factory=FollowerRule)
    retention: timedelta = DEFAULT_RETENTION
    cadences: Cadences = field(default_factory=Cadences)
    # Posts whose counters one backfill message reads at most; the rest go to a follow-up message.
    backfill_posts_per_message: int = 500


@dataclass(frozen=True)
class _Fetched:
    profile: Profile | None  # None: the profile was not due, or failed
    by_id: dict[str, StoredPost]  # every post known or found, by id
    fresh: set[str]  # ids of the posts found now for the first time
    recent: list[StoredPost]  # posts younger than RECENT
    updated: list[StoredPost]  # the posts with a new reading
    done: frozenset[SyncPart]  # the parts fetched in full
    failure: PlatformError | None = None  # why a part was not
    before: str | None = None  # a backfill to continue with the posts older than this sort key
    wait: int = 0  # seconds the follow-up waits before SQS delivers it (a throttle's retry_after)


class IngestionService:
    def __init__(
        self,
        targets: SyncTargets,
        snapshots: SnapshotStore,
        posts: PostStore,
        providers: Callable[[Any], PlatformProvider | None],
        clock: Callable[[], datetime],
        rollups: RollupStore,
        rules: IngestionRules | None = None,
        workspaces: WorkspaceLookup | None = None,
        writes: SyncWriter | None = None,
        reads: StartReader | None = None,
        messages: Callable[[], IngestMessages] | None = None,
    ) -> None:
        self._targets = targets
        self._snapshots = snapshots
        self._posts = posts
        self._providers = providers
        self._now = clock
        self._rules = rules or IngestionRules()
        self._workspaces = workspaces
        self._writes = writes or SyncWrites()
        self._rollups = rollups
        self._reads = reads
        self._messages = messages

    def retentions(self) -> WorkspaceRetentions:
        """The workspaces' retention windows, each read once, for one worker invocation."""
        return WorkspaceRetentions(self._workspaces, self._rules.retention)

    def batch(self, requests: Sequence[SyncRequest]) -> SyncBatch:
        """What one worker invocation's syncs share; with a reader, every record's connection and
        workspace read at once, in one request instead of two per record."""
        if self._reads is None or not requests:
            return SyncBatch(self.retentions())
        try:
            items = self._reads.read([(r.workspace_id, r.connection_id) for r in requests])
        except Exception as exc:  # a read ahead is only a saving: each record reads its own
            logger.warning(
                "batch read failed; each sync reads its own items", extra={"error": type(exc).__name__}
            )
            return SyncBatch(self.retentions())
        retentions = WorkspaceRetentions(self._workspaces, self._rules.retention, items.workspaces)
        return SyncBatch(retentions, items.connections)

    def delay(self, receipt_handle: str, seconds: float) -> int | None:
        """Keep a throttled message from SQS until the platform will answer (seconds, at most 12 h)."""
        return None if self._messages is None else self._messages().delay(receipt_handle, seconds)

    def sync_failed(self, request: SyncRequest, reason: str) -> None:
        """The last delivery failed too: the message goes to the DLQ, and people hear about it."""
        connection = self._targets.connection(request.workspace_id, request.connection_id)
        if connection is not None:
            self._targets.record_alert(self._alert(connection, "sync_failed", None, self._now()))
        logger.warning("sync failed for good", extra={"reason": reason})

    async def sync(
        self,
        request: SyncRequest,
        client: AsyncPlatformClient,
        deadline: Deadline | None,
        batch: SyncBatch | None = None,
    ) -> SyncReport:
        """Raises ``PlatformError`` (rate limited, retry later) for SQS to redeliver; reauthorization
        problems end the sync quietly after marking the connection. ``batch``: shared by the
        records of one worker invocation (see ``batch()``)."""
        from chalicelib.platforms.base import AccessTokenExpiredError, ReauthorizeError

        batch = batch or SyncBatch(self.retentions())
        retentions = batch.retentions
        key = (request.workspace_id, request.connection_id)
        if key in batch.connections:
            loaded = batch.connections[key]
            opened = None if loaded is None else await asyncio.to_thread(self._targets.opened, loaded)
        else:
            opened = await asyncio.to_thread(self._targets.open, request.workspace_id, request.connection_id)
        if opened is None or opened[0].needs_reauth:
            return SyncReport(SyncOutcome.SKIPPED)
        connection, tokens = opened
        provider = self._providers(connection.platform)
        if tokens is None or provider is None:
            return SyncReport(SyncOutcome.SKIPPED)
        try:
            try:
                return await self._sync(connection, tokens, provider, request, client, deadline, retentions)
            except AccessTokenExpiredError:
                # The platform ended the access token before its stated expiry: renew it, try once more.
                tokens = await asyncio.to_thread(
                    self._targets.renewed_tokens, request.workspace_id, request.connection_id
                )
                if tokens is None:
                    return SyncReport(SyncOutcome.SKIPPED)
                return await self._sync(connection, tokens, provider, request, client, deadline, retentions)
        except ReauthorizeError as exc:
            await asyncio.to_thread(self._targets.needs_reauth, connection, exc.kind)
            return SyncReport(SyncOutcome.SKIPPED)

    async def _sync(
        self,
        connection: Connection,
        tokens: TokenSet,
        provider: PlatformProvider,
        request: SyncRequest,
        client: AsyncPlatformClient,
        deadline: Deadline | None,
        retentions: WorkspaceRetentions,
    ) -> SyncReport:
        now = self._now()
        backfill = request.kind is SyncKind.BACKFILL
        continuing = backfill and request.before is not None
        cadences = self._rules.cadences
        times = _times_of(connection)
        # A backfill's follow-up only reads older posts' counters: no part of the cadences is redone.
        parts = frozenset() if continuing else ALL_PARTS if backfill else cadences.due(times, now)
        if not parts and not continuing:  # an early or repeated message: nothing is due yet
            next_at = cadences.next_sync_at(times, now, connection.id)
            await asyncio.to_thread(self._targets.record_sync, connection, now, parts, next_at)
            return SyncReport(SyncOutcome.SYNCED)
        # Never synced (a reconnect keeps its sync times): no posts or history are stored to read yet.
        first = connection.last_sync_at is None
        limit = BACKFILL_KNOWN if backfill else KNOWN_POSTS
        known = [] if first else await asyncio.to_thread(self._posts.recent, connection.id, limit)
        # The workspace's retention and the follower history are read while the platform answers.
        # The platform parts fail on their own: what one fetched is saved whatever the other did.
        fetched, demographics_or_error, retention, history, rolled = await asyncio.gather(
            self._fetch(connection, tokens, provider, parts, request, known, now, client, deadline),
            _attempt(self._demographics(tokens, provider, parts, client, deadline)),
            retentions.of(connection.workspace_id),
            self._history(connection, now, first),
            self._rolled_followers(connection, now, first, backfill, retentions),
        )
        failures = [] if fetched.failure is None else [fetched.failure]
        done = fetched.done
        demographics, demographics_failure = _demographics_outcome(connection, demographics_or_error)
        if demographics_failure is not None:
            failures.append(demographics_failure)
        elif SyncPart.DEMOGRAPHICS in parts:
            done |= {SyncPart.DEMOGRAPHICS}
        profile, by_id, fresh, recent = fetched.profile, fetched.by_id, fetched.fresh, fetched.recent
        updated = fetched.updated
        snapshots = self._snapshots_of(connection, now, profile, updated, demographics)
        alerts = self._alerts(connection, now, profile, updated, known, history)
        latest = {**by_id, **{s.post.id: s for s in updated}}.values()
        today = [(now.date(), followers)] if (followers := _followers(profile)) is not None else []
        summary = None
        if profile is not None:
            # followers read now: the summary is current; recorded with the sync
            summary = summarize([*history, *today], [(s.post.created_at, s.metrics) for s in latest], now)
        rollup = roll_up(rolled, [*history, *today], [(s.post, s.metrics) for s in latest], now, retention)
        others = [self._rollups.put(connection.id, rollup)]
        # Snapshots, posts and the rollup together, 25 to a request, the requests at once; then the
        # alerts. Only then is the sync recorded, with the summary and the rollup's time, in one
        # UpdateItem: a part that failed is not recorded, so it is still due on redelivery.
        batches = self._writes.batches(snapshots, updated, retention, others)
        await asyncio.gather(*(asyncio.to_thread(self._writes.write, batch) for batch in batches))
        await asyncio.gather(*(asyncio.to_thread(self._targets.record_alert, alert) for alert in alerts))
        next_at = cadences.next_sync_at(
            times.after(done, now), now, connection.id, has_recent_posts=bool(recent)
        )
        if failures:
            # The failed message comes back on its own: the dispatcher must not queue another first.
            next_at = max(next_at, _redelivery_at(failures, now, cadences))
        recorded = await asyncio.to_thread(
            self._targets.record_sync, connection, now, done, next_at, summary, rollup.computed_at
        )
        if not recorded:
            await asyncio.to_thread(self._record_apart, connection, rollup, summary)
        elif fetched.before is not None and not failures:
            # Everything newer is saved: the older posts' counters go on in a message of their own.
            # Not while this message fails: its redelivery reads the same share and sends it then.
            follow_up = SyncRequest(
                request.workspace_id, request.connection_id, SyncKind.BACKFILL, fetched.before
            )
            await asyncio.to_thread(self._send, follow_up, fetched.wait)
        new_posts = len(fresh)
        logger.info(
            "synced",
            extra={
                "platform": connection.platform.value,
                "snapshots": len(snapshots),
                "new_posts": new_posts,
                "parts": sorted(done),
                "failed": [failure.kind for failure in failures],
                "continues": fetched.before is not None and not failures,
            },
        )
        if failures:
            # What succeeded is saved (keyed by its time window: a redelivery rewrites the same items);
            # SQS brings the message back for the rest, a throttle's after its retry_after.
            raise _worst(failures)
        return SyncReport(SyncOutcome.SYNCED, len(snapshots), new_posts, [alert.kind for alert in alerts])

    def _send(self, request: SyncRequest, delay_seconds: int = 0) -> None:
        if self._messages is None:
            raise RuntimeError("a backfill follow-up needs the ingest queue")
        self._messages().send(request.as_message(), delay_seconds)

    async def _demographics(
        self,
        tokens: TokenSet,
        provider: PlatformProvider,
        parts: frozenset[SyncPart],
        client: AsyncPlatformClient,
        deadline: Deadline | None,
    ) -> Demographics | None:
        """The audience, when due: its platform call runs while the posts and their counters do."""
        if SyncPart.DEMOGRAPHICS not in parts:
            return None
        return await client.run(provider.demographics(tokens), deadline)

    async def _fetch(
        self,
        connection: Connection,
        tokens: TokenSet,
        provider: PlatformProvider,
        parts: frozenset[SyncPart],
        request: SyncRequest,
        known: Sequence[StoredPost],
        now: datetime,
        client: AsyncPlatformClient,
        deadline: Deadline | None,
    ) -> _Fetched:
        """The profile, new posts and the posts' new readings, as far as they are due and succeed.

        A part is done only when all of it was fetched: a new post whose counters failed is not
        stored, so the redelivered message finds it new again. A backfill reads counters a chunk at a
        time, newest first, and hands what is left to a follow-up message when its time or its share
        runs out."""
        from chalicelib.platforms.base import PlatformError, RateLimitedError

        backfill = request.kind is SyncKind.BACKFILL
        listing = SyncPart.PROFILE in parts or backfill
        newest_known = None if backfill or not known else known[0].post.id
        most = BACKFILL_LIST if backfill else NEW_POSTS
        failures: list[PlatformError] = []
        profile: Profile | None = None
        fresh_posts: list[Post] = []
        listed = not listing
        if listing:
            profile_read = (
                client.run(provider.profile(tokens), deadline) if SyncPart.PROFILE in parts else _nothing()
            )
            read, posts = await asyncio.gather(
                _attempt(profile_read),
                _attempt(
                    client.run(provider.posts(tokens, since_post_id=newest_known, max_posts=most), deadline)
                ),
            )
            for value in (read, posts):
                if isinstance(value, PlatformError):
                    failures.append(value)
            profile = None if isinstance(read, PlatformError) else read
            fresh_posts = [] if isinstance(posts, PlatformError) else posts
            listed = not isinstance(posts, PlatformError)
        by_id = {stored.post.id: stored for stored in known}
        fresh = {post.id for post in fresh_posts} - by_id.keys()
        for post in fresh_posts:
            if post.id in fresh:
                by_id[post.id] = StoredPost(connection.id, post, post.metrics or PostMetrics(post.id), now)
        recent = [s for s in by_id.values() if now - s.post.created_at <= RECENT]
        if backfill:
            tracked = sorted(by_id.values(), key=lambda s: post_sort_key(s.post), reverse=True)
            if request.before is not None:
                tracked = [s for s in tracked if post_sort_key(s.post) < request.before]
        else:
            tracked = [s for s in recent if SyncPart.COUNTERS in parts or s.post.id in fresh]
        readings: dict[str, PostMetrics] = {}
        read_all, before, wait = True, None, 0
        if tracked and listed:
            readings, covered, failure = await self._readings(
                provider, tokens, tracked, backfill, client, deadline
            )
            if failure is not None:
                failures.append(failure)
            read_all = covered == len(tracked)
            if backfill and not read_all and covered:
                before = post_sort_key(tracked[covered - 1].post)
                if isinstance(failure, RateLimitedError):
                    wait = min(math.ceil(failure.retry_after or 0), FOLLOW_UP_MAX_DELAY)
        elif tracked:
            read_all = False  # the list failed: no post is read until it is listed anew
        updated = [s.with_reading(readings[s.post.id], now) for s in tracked if s.post.id in readings]
        # A backfill handing the older posts to a follow-up has done its parts: the follow-up ends it.
        complete = listed and (read_all or before is not None)
        done = frozenset(
            part
            for part, ok in (
                (SyncPart.PROFILE, profile is not None and complete),
                (SyncPart.COUNTERS, complete),
            )
            if part in parts and ok
        )
        failure = None if before is not None or not failures else _worst(failures)
        return _Fetched(profile, by_id, fresh, recent, updated, done, failure, before, wait)

    async def _readings(
        self,
        provider: PlatformProvider,
        tokens: TokenSet,
        tracked: Sequence[StoredPost],
        backfill: bool,
        client: AsyncPlatformClient,
        deadline: Deadline | None,
    ) -> tuple[dict[str, PostMetrics], int, PlatformError | None]:
        """Counters of ``tracked`` in order; how many of them were covered (a post gone since it was
        listed has no reading), and the failure that stopped them.

        A regular sync asks for all at once. A backfill goes a chunk at a time and stops, keeping what
        it read, when its share of posts is read, its time runs short, or a chunk fails after others
        were read (a follow-up message carries on from there, after a throttle's retry_after)."""
        from chalicelib.platforms.base import PlatformError, ReauthorizeError

        ids = [s.post.id for s in tracked]
        if not backfill:
            try:
                return await client.run(provider.post_metrics(tokens, ids), deadline), len(ids), None
            except ReauthorizeError:
                raise
            except PlatformError as exc:
                return {}, 0, exc
        readings: dict[str, PostMetrics] = {}
        share = self._rules.backfill_posts_per_message
        for start in range(0, len(ids), BACKFILL_CHUNK):
            if start >= share or (start and deadline is not None and deadline.remaining() < BACKFILL_RESERVE):
                return readings, start, None
            chunk = ids[start : start + BACKFILL_CHUNK]
            try:
                read = await client.run(provider.post_metrics(tokens, chunk), deadline)
            except ReauthorizeError:
                raise
            except PlatformError as exc:
                if start:
                    logger.warning(
                        "backfill counters stopped; a follow-up goes on", extra={"error": exc.kind}
                    )
                return readings, start, exc
            readings.update(read)
        return readings, len(ids), None

    def _record_apart(
        self, connection: Connection, rollup: AccountRollup, summary: AccountStats | None
    ) -> None:
        """The connection stopped syncing while this sync ran: waiting for reauthorization, its data
        is still shown (rollup and summary recorded as long as it exists); deleted, it leaves no
        rollup behind."""
        if not self._rollups.record(connection, rollup, summary):
            self._rollups.discard(connection.id)

    async def _history(self, connection: Connection, now: datetime, first: bool) -> list[tuple[date, int]]:
        return [] if first else await asyncio.to_thread(self._follower_history, connection, now)

    async def _rolled_followers(
        self,
        connection: Connection,
        now: datetime,
        first: bool,
        backfill: bool,
        retentions: WorkspaceRetentions,
    ) -> list[tuple[date, int]]:
        """The follower readings the account's rollup holds. Without a rollup yet, or on a backfill,
        the profile series of the retention window, read this once."""
        if first:
            return []
        stored = None if backfill else await asyncio.to_thread(self._rollups.get, connection.id)
        if stored is not None:
            return list(stored.followers)
        retention = await retentions.of(connection.workspace_id)
        today = now.date()
        series = await asyncio.to_thread(
            self._snapshots.profile_series, connection.id, today - timedelta(days=retention.days), today
        )
        return [(s.taken_at.date(), s.profile.followers) for s in series if s.profile.followers is not None]

    def _snapshots_of(
        self,
        connection: Connection,
        now: datetime,
        profile: Profile | None,
        posts: Sequence[StoredPost],
        demographics: Demographics | None,
    ) -> list[Snapshot]:
        snapshots: list[Snapshot] = [] if profile is None else [ProfileSnapshot(connection.id, now, profile)]
        snapshots += [PostSnapshot(connection.id, now, stored.metrics) for stored in posts]
        if demographics is not None:
            snapshots.append(DemographicsSnapshot(connection.id, now, demographics))
        return snapshots

    def _alerts(
        self,
        connection: Connection,
        now: datetime,
        profile: Profile | None,
        updated: Sequence[StoredPost],
        known: Sequence[StoredPost],
        history: Sequence[tuple[date, int]],
    ) -> list[Alert]:
        alerts = [
            self._alert(connection, "viral_post", post.post, now, views_multiple=multiple)
            for post, multiple in self._viral(updated, known, now)
        ]
        yesterday = next((value for day, value in history if day == now.date() - timedelta(days=1)), None)
        followers = _followers(profile)
        move = follower_move(yesterday, followers, self._rules.followers)
        if move is not None and yesterday and followers is not None:
            change = round((followers - yesterday) / yesterday * 100, 1)
            alerts.append(
                self._alert(
                    connection,
                    move.value,
                    None,
                    now,
                    follower_change_pct=change,
                    followers=followers,
                )
            )
        return alerts

    def _viral(
        self, updated: Sequence[StoredPost], known: Sequence[StoredPost], now: datetime
    ) -> list[tuple[StoredPost, float]]:
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
                viral.append((stored, views_multiple(stored.metrics.views, baseline, self._rules.viral)))
        return viral

    def _follower_history(self, connection: Connection, now: datetime) -> list[tuple[date, int]]:
        """Daily follower readings before today, far enough back for the alerts and the summary."""
        today = now.date()
        series = self._snapshots.profile_series(
            connection.id, today - timedelta(days=HISTORY_DAYS), today - timedelta(days=1)
        )
        return [(s.taken_at.date(), s.profile.followers) for s in series if s.profile.followers is not None]

    def _alert(
        self,
        connection: Connection,
        kind: str,
        post: Post | None,
        now: datetime,
        *,
        views_multiple: float | None = None,
        follower_change_pct: float | None = None,
        followers: int | None = None,
    ) -> Alert:
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
            post_id=post.id if post is not None else None,
            views_multiple=views_multiple,
            follower_change_pct=follower_change_pct,
            followers=followers,
        )


async def _attempt(work: Awaitable[T]) -> T | PlatformError:
    """A platform part's value, or the error it failed with; reauthorization always ends the sync."""
    from chalicelib.platforms.base import PlatformError, ReauthorizeError

    try:
        return await work
    except ReauthorizeError:
        raise
    except PlatformError as exc:
        return exc


async def _nothing() -> None:
    return None


def _demographics_outcome(
    connection: Connection, outcome: Demographics | PlatformError | None
) -> tuple[Demographics | None, PlatformError | None]:
    """Demographics to store, or the failure that leaves the part due. A lasting refusal is the
    part's state (not available, and why), not a failure: retrying would fail the same way."""
    from chalicelib.platforms.base import BadRequestError, PermissionMissingError, PlatformError

    if not isinstance(outcome, PlatformError):
        return outcome, None
    if isinstance(outcome, PermissionMissingError):
        reason = DemographicsUnavailableReason.PERMISSION_MISSING
    elif isinstance(outcome, BadRequestError):
        reason = DemographicsUnavailableReason.NOT_OFFERED
    else:
        return None, outcome
    logger.info("demographics not available", extra={"reason": reason.value, "error": outcome.kind})
    return Demographics.not_available(connection.platform, reason), None


def _worst(failures: Sequence[PlatformError]) -> PlatformError:
    """The failure to report: a throttle first (the longest wait), so SQS keeps the message long enough."""
    from chalicelib.platforms.base import RateLimitedError

    throttles = [f for f in failures if isinstance(f, RateLimitedError)]
    if throttles:
        return max(throttles, key=lambda f: f.retry_after or 0.0)
    return failures[0]


def _redelivery_at(failures: Sequence[PlatformError], now: datetime, cadences: Cadences) -> datetime:
    """The earliest a failed sync's connection may be due again: not before SQS brings the failed
    message back (a visibility timeout, well within a counters cadence) nor before a throttle's
    retry_after (the worker keeps the message from SQS that long)."""
    from chalicelib.platforms.base import RateLimitedError

    waits = [f.retry_after or 0.0 for f in failures if isinstance(f, RateLimitedError)]
    return now + max(cadences.counters_every, timedelta(seconds=max(waits, default=0.0)))


def _times_of(connection: Connection) -> SyncTimes:
    return SyncTimes(connection.profile_synced_at, connection.counters_synced_at, connection.demographics_at)


def _followers(profile: Profile | None) -> int | None:
    return profile.followers if profile is not None else None
