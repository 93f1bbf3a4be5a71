"""Re-sealing every connection's tokens under the vault's current KMS key (after a key change).

Run by an operator (``creatordeck tokens reencrypt``). Each connection is read, skipped when its
envelopes already name the current key (so a second run, or a run after an interruption, only does
what is left), and otherwise opened and sealed again, then saved only if nothing changed since it was
read; a concurrent refresh wins and the connection is read again. KMS calls stay O(1) per data key:
the vault unwraps each old data key once (its cache) and seals with the epoch's shared data key. A
run first moves that shared key to the current KMS key (``TokenVault.adopt_current_key``), so the
functions stop sealing under the old one within ``max_key_age``; a second run re-seals what they
sealed before. Progress names counts only, never token material.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final, Protocol, TypeVar

from chalicelib.observability import logger
from chalicelib.security.vault import TokenVault, VaultError, reencrypt

__all__ = ["ReencryptReport", "TokenReencryption"]

ATTEMPTS: Final = 3  # reads of one connection that kept changing under us; a later run tries again


class Envelopes(Protocol):
    """A connection's envelopes as read (storage/token_reseal.py); ``access`` is "" once deleted."""

    @property
    def access(self) -> str: ...
    @property
    def refresh(self) -> str | None: ...


_Read = TypeVar("_Read", bound=Envelopes)


class EnvelopeStore(Protocol[_Read]):
    def connection_keys(self) -> Iterable[tuple[str, str]]: ...
    def load(self, workspace_id: str, connection_id: str) -> _Read | None: ...
    def replace(self, read: _Read, access: str, refresh: str | None) -> bool: ...


@dataclass(frozen=True)
class ReencryptReport:
    key_arn: str
    total: int
    outcomes: dict[str, int]
    dry_run: bool

    @property
    def failed(self) -> int:
        return self.outcomes.get("failed", 0) + self.outcomes.get("busy", 0)

    def summary(self) -> str:
        parts = ", ".join(
            f"{name.replace('_', ' ')} {count}" for name, count in sorted(self.outcomes.items())
        )
        return f"{self.total} connections: {parts or 'nothing to do'}"


class TokenReencryption:
    def __init__(
        self,
        store: EnvelopeStore[Any],
        vault: TokenVault,
        progress: Callable[[str], None],
        *,
        report_every: int = 100,
    ) -> None:
        self._store = store
        self._vault = vault
        self._progress = progress
        self._every = report_every

    def run(self, *, dry_run: bool = False) -> ReencryptReport:
        key_arn = self._vault.current_key_arn()
        keys = list(self._store.connection_keys())
        total = len(keys)
        verb = "Checking" if dry_run else "Re-sealing"
        self._progress(f"{verb} the tokens of {total} connections under {key_arn}")
        if not dry_run and self._vault.adopt_current_key():
            self._progress("The shared data key of this epoch now comes from the current key")
        outcomes: Counter[str] = Counter()
        for done, (workspace_id, connection_id) in enumerate(keys, start=1):
            outcomes[self._one(workspace_id, connection_id, key_arn, dry_run)] += 1
            if done % self._every == 0 or done == total:
                self._progress(f"{done}/{total} done")
        report = ReencryptReport(key_arn, total, dict(outcomes), dry_run)
        self._progress(report.summary())
        return report

    def _one(self, workspace_id: str, connection_id: str, key_arn: str, dry_run: bool) -> str:
        for _ in range(ATTEMPTS):
            read = self._store.load(workspace_id, connection_id)
            if read is None:
                return "gone"  # deleted since the scan
            if not read.access:
                return "without_tokens"  # disconnected: the tokens were deleted
            try:
                envelopes = [read.access] + ([read.refresh] if read.refresh else [])
                if not any(self._vault.needs_reencrypt(envelope, key_arn) for envelope in envelopes):
                    return "already_current"
                if dry_run:
                    return "to_reseal"
                access = reencrypt(self._vault, read.access, workspace_id, connection_id)
                refresh = (
                    reencrypt(self._vault, read.refresh, workspace_id, connection_id)
                    if read.refresh
                    else None
                )
            except VaultError as exc:
                logger.error(
                    "token envelope cannot be re-sealed",
                    extra={"connection_id": connection_id, "error_type": type(exc).__name__},
                )
                return "failed"
            if self._store.replace(read, access, refresh):
                return "resealed"
        logger.warning("connection kept changing during re-seal", extra={"connection_id": connection_id})
        return "busy"
