"""The ``privacy-worker`` queue handler and the ``retention-sweep`` schedule.

The worker reports partial batch failures: a message whose deletion or export failed comes back
(and after the redrive limit lands in the DLQ, which alarms) while the rest of its batch is done.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.observability import logger


def work(event: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    from chalicelib.bootstrap import services  # here: importing app.py must not build anything

    worker = services().privacy_worker
    failures = []
    for record in event.get("Records", []):
        try:
            worker.handle(json.loads(record["body"]))
        except Exception as exc:
            logger.exception("privacy job failed", extra={"error_type": type(exc).__name__})
            failures.append({"itemIdentifier": str(record["messageId"])})
    return {"batchItemFailures": failures}


def sweep(event: Any = None) -> dict[str, float]:  # noqa: ARG001 - the schedule's event carries nothing we need
    from chalicelib.bootstrap import services

    return services().retention_sweep.run()
