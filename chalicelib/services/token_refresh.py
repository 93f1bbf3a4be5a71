"""The token-refresh sweep: renew every connection whose tokens are due, before they die."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Final

from chalicelib.observability import logger
from chalicelib.services.connections import ConnectionService, RefreshOutcome
from chalicelib.services.ports import ConnectionStore

MAX_PER_SWEEP: Final = 500  # a 15-minute Lambda does this many easily; the rest wait 30 minutes


class TokenRefreshSweep:
    def __init__(
        self, store: ConnectionStore, connections: ConnectionService, clock: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._connections = connections
        self._now = clock

    def run(self, limit: int = MAX_PER_SWEEP) -> dict[str, int]:
        """Refreshes due connections one by one; a failure of one never stops the others."""
        outcomes: Counter[str] = Counter()
        for workspace_id, connection_id in self._store.due_for_refresh(self._now(), limit):
            outcome = self._connections.refresh(workspace_id, connection_id)
            outcomes[outcome.value] += 1
        summary = {outcome.value: outcomes.get(outcome.value, 0) for outcome in RefreshOutcome}
        logger.info("token refresh sweep", extra={"outcomes": summary})
        return summary
