"""Finding the connections due for a sync and queueing them, without ever scanning a table.

Due connections sit in the ``sync_due`` index, spread over shards so no partition runs hot; one
Query per shard reads those whose ``next_sync_at`` has passed. Each is moved forward (a claim for
one counters cadence plus jitter) with a conditional write before its message is sent, so two
dispatchers running at once never queue the same connection twice; the sync, once done, sets the
connection's next time from the cadences of its parts (``domain/sync_cadence.py``).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Protocol

from chalicelib.domain.connections import DueConnection
from chalicelib.observability import logger
from chalicelib.services.ingestion import SyncKind

SQS_BATCH: Final = 10


class DueConnections(Protocol):
    shards: int

    def due_for_sync(self, shard: int, now: datetime, limit: int) -> list[DueConnection]: ...
    def reschedule(self, due: DueConnection, next_sync_at: datetime) -> bool: ...


class IngestQueue(Protocol):
    def send_batch(self, bodies: Sequence[dict[str, Any]]) -> list[int]:
        """Sends the messages; returns the positions that were not taken."""
        ...


@dataclass(frozen=True)
class Cadence:
    every: timedelta = timedelta(hours=2)
    jitter: timedelta = timedelta(minutes=10)

    def next_after(self, now: datetime, rng: random.Random) -> datetime:
        return now + self.every + timedelta(seconds=rng.uniform(0, self.jitter.total_seconds()))


class IngestDispatcher:
    def __init__(
        self,
        due: DueConnections,
        queue: IngestQueue,
        clock: Callable[[], datetime],
        cadence: Cadence | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._due = due
        self._queue = queue
        self._now = clock
        self._cadence = cadence or Cadence()
        self._rng = rng or random.Random()

    def run(self, limit_per_shard: int = 500) -> dict[str, int]:
        now = self._now()
        claimed: list[tuple[DueConnection, datetime]] = []
        for shard in range(self._due.shards):
            for due in self._due.due_for_sync(shard, now, limit_per_shard):
                next_at = self._cadence.next_after(now, self._rng)
                if self._due.reschedule(due, next_at):
                    claimed.append((due, next_at))
        failed = 0
        for start in range(0, len(claimed), SQS_BATCH):
            batch = claimed[start : start + SQS_BATCH]
            bodies = [
                {
                    "workspace_id": d.workspace_id,
                    "connection_id": d.connection_id,
                    "kind": SyncKind.SYNC.value,
                }
                for d, _ in batch
            ]
            for position in self._queue.send_batch(bodies):
                # Not queued: hand the connection back to the next dispatch, not to the next cadence.
                due, next_at = batch[position]
                moved = DueConnection(due.workspace_id, due.connection_id, int(next_at.timestamp()))
                self._due.reschedule(moved, datetime.fromtimestamp(due.next_sync_at, now.tzinfo))
                failed += 1
        logger.info("dispatched", extra={"queued": len(claimed) - failed, "failed": failed})
        return {"queued": len(claimed) - failed, "failed": failed}


def message_body(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"))
