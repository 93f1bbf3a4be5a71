"""Is every dependency reachable? Probes run concurrently with a deadline."""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.observability import logger


class DependencyProbe(Protocol):
    """Reaches one dependency; raises if it cannot."""

    name: str

    def check(self) -> None: ...


@dataclass(frozen=True)
class DependencyStatus:
    name: str
    ok: bool
    latency_ms: float | None

    def as_json(self) -> dict[str, Any]:
        return {"status": "ok" if self.ok else "unreachable", "latency_ms": self.latency_ms}


@dataclass(frozen=True)
class HealthReport:
    dependencies: tuple[DependencyStatus, ...]

    @property
    def ok(self) -> bool:
        return all(dependency.ok for dependency in self.dependencies)

    def as_json(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.ok else "degraded",
            "dependencies": {dependency.name: dependency.as_json() for dependency in self.dependencies},
        }


class HealthService:
    def __init__(self, probes: Sequence[DependencyProbe], deadline_seconds: float = 3.0) -> None:
        self._probes = probes
        self._deadline_seconds = deadline_seconds

    def check(self) -> HealthReport:
        with ThreadPoolExecutor(max_workers=max(1, len(self._probes))) as pool:
            futures = {pool.submit(_timed, probe): probe for probe in self._probes}
            done, _ = wait(futures, timeout=self._deadline_seconds)
            statuses = tuple(
                future.result() if future in done else DependencyStatus(probe.name, False, None)
                for future, probe in futures.items()
            )
        return HealthReport(statuses)


def _timed(probe: DependencyProbe) -> DependencyStatus:
    started = time.perf_counter()
    try:
        probe.check()
    except Exception as exc:  # any failure means unreachable; the kind goes to the log, not the client
        logger.warning(
            "dependency unreachable", extra={"dependency": probe.name, "error_type": type(exc).__name__}
        )
        return DependencyStatus(probe.name, False, None)
    return DependencyStatus(probe.name, True, round((time.perf_counter() - started) * 1000, 1))
