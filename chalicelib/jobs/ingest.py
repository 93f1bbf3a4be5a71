"""The ``ingest-dispatch`` schedule and the ``ingest-worker`` queue handler.

The worker uses Powertools' async batch processing: every record of a batch syncs concurrently on
one event loop, each failure is reported as a batch item failure (SQS redelivers just that one, and
after the redrive limit moves it to the DLQ), and one poison message never fails its neighbours.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeGuard

from chalicelib.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    from chalicelib.platforms.http import AsyncPlatformClient, Deadline
    from chalicelib.services.ingestion import SyncRequest


def dispatch(event: Any = None) -> dict[str, int]:  # noqa: ARG001 - a schedule's event carries nothing we need
    from chalicelib.bootstrap import services

    return services().ingest_dispatcher.run()


def work(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Runs the batch on its own event loop; from a thread that already runs one, on a fresh thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _work(event, context)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_work, event, context).result()


def _work(event: dict[str, Any], context: Any) -> dict[str, Any]:
    # Imported here: importing app.py (every route's cold start) must not pay for batch processing.
    from aws_lambda_powertools.utilities.batch import (
        AsyncBatchProcessor,
        EventType,
        async_process_partial_response,
    )

    from chalicelib.bootstrap import services
    from chalicelib.platforms.base import RateLimitedError
    from chalicelib.platforms.http import Deadline
    from chalicelib.services.ingestion import SyncRequest

    built = services()
    deadline = Deadline.from_lambda_context(context) if context is not None else None
    # One platform client per invocation, opened by the first record and closed by the last, all in
    # the batch's own event loop (Lambda may keep that loop between invocations, or not).
    batch = _BatchClient(len(event.get("Records", [])), built.platforms.open_async)
    # Every readable record's connection and workspace, read at once before the records start.
    shared = built.ingestion.batch(_requests(event))

    async def sync_record(record: SQSRecord) -> str:
        try:
            try:
                request = SyncRequest.from_message(json.loads(record.body))
            except (ValueError, KeyError, TypeError):
                # A message we cannot read will not read better next time: drop it, loudly.
                logger.error("unreadable ingest message", extra={"message_id": record.message_id})
                return "unreadable"
            try:
                report = await built.ingestion.sync(request, batch.client(), deadline, shared)
            except Exception as exc:
                if int(record.attributes.approximate_receive_count) >= built.settings.ingest_max_receives:
                    await asyncio.to_thread(built.ingestion.sync_failed, request, type(exc).__name__)
                elif isinstance(exc, RateLimitedError) and _beyond(exc.retry_after, deadline):
                    # Longer than this invocation can wait: SQS keeps the message that long, rather
                    # than redelivering it to a platform that will refuse it again.
                    await asyncio.to_thread(built.ingestion.delay, record.receipt_handle, exc.retry_after)
                raise
            return report.outcome.value
        finally:
            await batch.done()

    processor = AsyncBatchProcessor(event_type=EventType.SQS)
    response = async_process_partial_response(
        event=event, record_handler=sync_record, processor=processor, context=context
    )
    return dict(response)


def _beyond(retry_after: float | None, deadline: Deadline | None) -> TypeGuard[float]:
    """Whether a throttle's wait outlasts the invocation (then the message waits in SQS instead)."""
    if retry_after is None or retry_after <= 0:  # no wait to speak of: an ordinary redelivery
        return False
    return deadline is None or retry_after > deadline.remaining()


def _requests(event: dict[str, Any]) -> list[SyncRequest]:
    """The batch's sync requests; a record that cannot be read is left to its own handling."""
    from chalicelib.services.ingestion import SyncRequest

    requests = []
    for record in event.get("Records", []):
        try:
            requests.append(SyncRequest.from_message(json.loads(record["body"])))
        except (ValueError, KeyError, TypeError):
            continue
    return requests


# Storage calls run in threads (asyncio.to_thread): enough of them for every record of a batch to
# have its writes in flight at once.
STORAGE_THREADS = 32


class _ContainerThreads(ThreadPoolExecutor):
    """The storage threads of every invocation the container serves, as its clients are.

    Starting a thread waits until the new thread runs, and while the batch's other threads hold the
    GIL that took some 4 ms each, on the event loop: threads of the invocation's own, started anew in
    every batch, stalled its platform calls for about 90 ms a batch (bench/ingest.py, 2 busy cores).
    ``asyncio.run`` shuts the loop's default executor down as the invocation ends; these threads stay
    for the next one.
    """

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:  # noqa: ARG002
        return  # idle threads cost nothing; the interpreter ends them at exit


@functools.cache
def _storage_threads() -> ThreadPoolExecutor:
    return _ContainerThreads(STORAGE_THREADS, thread_name_prefix="ingest-storage")


class _BatchClient:
    def __init__(
        self, records: int, opener: Callable[[], tuple[AsyncPlatformClient, Callable[[], Awaitable[None]]]]
    ) -> None:
        self._left = records
        self._opener = opener
        self._opened: tuple[AsyncPlatformClient, Callable[[], Awaitable[None]]] | None = None

    def client(self) -> AsyncPlatformClient:
        if self._opened is None:
            # Set on every invocation: the loop may be new (asyncio.run) or the one Lambda kept.
            asyncio.get_running_loop().set_default_executor(_storage_threads())
            self._opened = self._opener()
        return self._opened[0]

    async def done(self) -> None:
        self._left -= 1
        if self._left == 0 and self._opened is not None:
            await self._opened[1]()
            self._opened = None
