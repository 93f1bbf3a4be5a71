"""What one sync writes, in as few requests as DynamoDB allows: snapshots, posts and rollup together.

BatchWriteItem takes up to 25 puts across tables, so a sync's snapshots (metrics table), posts (posts
table) and account rollup (metrics table, ``account_rollup_writes.py``) go in ceil(n / 25) requests
rather than in one series of batches per table, and the caller may send those requests at once.
Every item keeps its key (series and window, post, or account), so writing a batch again replaces
the same items: a redelivered sync adds nothing.

The items are put in DynamoDB's wire format here directly, attribute for attribute as the models in
``metrics.py`` and ``posts.py`` would serialize them (a test holds the two equal): building a PynamoDB
model per item and serializing it cost more CPU than the rest of a sync's storage work.
"""

from __future__ import annotations

import calendar
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from chalicelib.domain.snapshots import PostSnapshot, ProfileSnapshot, Snapshot, SnapshotKind
from chalicelib.storage.base import shared_connection
from chalicelib.storage.metrics import _COUNTERS, _POST_COUNTERS, SnapshotItem, _demographics_json, series_key
from chalicelib.storage.posts import PostItem, StoredPost, post_sort_key

Wire = dict[str, dict[str, Any]]

MAX_ITEMS: Final = 25  # BatchWriteItem's limit, across tables
MAX_ATTEMPTS: Final = 8


class UnprocessedWritesError(Exception):
    """DynamoDB kept refusing part of a batch (throttling): the sync fails, and SQS brings it back."""


@dataclass(frozen=True)
class WriteBatch:
    """One BatchWriteItem request: the puts per table name, already serialized."""

    puts: dict[str, list[dict[str, Any]]]

    @property
    def size(self) -> int:
        return sum(len(requests) for requests in self.puts.values())


class SyncWrites:
    def batches(
        self,
        snapshots: Sequence[Snapshot],
        posts: Sequence[StoredPost],
        retention: timedelta,
        others: Sequence[tuple[str, Wire]] = (),
    ) -> list[WriteBatch]:
        """The requests for a sync's puts; ``others``: more items, each with its table's name."""
        items = [(SnapshotItem.Meta.table_name, snapshot_put(s, s.taken_at + retention)) for s in snapshots]
        items += [(PostItem.Meta.table_name, post_put(p, p.seen_at + retention)) for p in posts]
        items += others
        batches = []
        for start in range(0, len(items), MAX_ITEMS):
            puts: dict[str, list[dict[str, Any]]] = {}
            for table, item in items[start : start + MAX_ITEMS]:
                puts.setdefault(table, []).append({"PutRequest": {"Item": item}})
            batches.append(WriteBatch(puts))
        return batches

    def write(self, batch: WriteBatch) -> int:
        """Sends the batch, again for what DynamoDB leaves unprocessed; returns how many items were put."""
        dynamodb = shared_connection().client
        pending = batch.puts
        for attempt in range(MAX_ATTEMPTS):
            answer = dynamodb.batch_write_item(RequestItems=pending)
            pending = answer.get("UnprocessedItems") or {}
            if not pending:
                return batch.size
            time.sleep(min(0.05 * 2**attempt, 2.0))
        raise UnprocessedWritesError(f"{sum(len(r) for r in pending.values())} items left unwritten")


def snapshot_put(snapshot: Snapshot, expires_at: datetime) -> Wire:
    """A snapshot as ``metrics.SnapshotItem`` serializes it."""
    item: Wire = {"sk": {"S": snapshot.window}, "taken_at": {"S": _moment(snapshot.taken_at)}}
    if isinstance(snapshot, ProfileSnapshot):
        item["pk"] = {"S": series_key(snapshot.connection_id, SnapshotKind.PROFILE)}
        item["platform"] = {"S": snapshot.profile.platform.value}
        _numbers(item, snapshot.profile, _COUNTERS)
    elif isinstance(snapshot, PostSnapshot):
        metrics = snapshot.metrics
        item["pk"] = {"S": series_key(snapshot.connection_id, SnapshotKind.POST, metrics.post_id)}
        _numbers(item, metrics, _POST_COUNTERS)
    else:
        demographics = snapshot.demographics
        item["pk"] = {"S": series_key(snapshot.connection_id, SnapshotKind.DEMOGRAPHICS)}
        item["platform"] = {"S": demographics.platform.value}
        item["demographics"] = {"S": json.dumps(_demographics_json(demographics), sort_keys=True)}
    item["expires_at"] = {"N": _epoch(expires_at)}
    return item


def post_put(stored: StoredPost, expires_at: datetime) -> Wire:
    """A post as ``posts.PostItem`` serializes it."""
    post = stored.post
    item: Wire = {
        "pk": {"S": f"CONNECTION#{stored.connection_id}"},
        "sk": {"S": post_sort_key(post)},
        "post_id": {"S": post.id},
        "platform": {"S": post.platform.value},
        "created_at": {"S": _moment(post.created_at)},
        "caption_excerpt": {"S": post.caption_excerpt},
        "media_type": {"S": post.media_type.value},
        "seen_at": {"S": _moment(stored.seen_at)},
        "views_at": {"M": {name: {"N": _number(views)} for name, views in stored.views_at.items()}},
        "expires_at": {"N": _epoch(expires_at)},
    }
    if post.permalink is not None:
        item["permalink"] = {"S": post.permalink}
    _numbers(item, stored.metrics, _POST_ITEM_COUNTERS)
    return item


_POST_ITEM_COUNTERS: Final = ("views", "likes", "comments", "shares", "saves", "reach")


def _numbers(item: Wire, source: object, names: Sequence[str]) -> None:
    for name in names:
        value = getattr(source, name)
        if value is not None:
            item[name] = {"N": _number(value)}


def _number(value: float) -> str:
    return str(value) if type(value) is int else json.dumps(value)


def _moment(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+0000").zfill(31)


def _epoch(moment: datetime) -> str:
    return str(calendar.timegm(moment.astimezone(UTC).utctimetuple()))
