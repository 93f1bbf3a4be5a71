"""The local job clock: what EventBridge schedules and SQS event source mappings do in AWS.

Chalice local serves HTTP only, so this process imports the same app, runs each
``@app.schedule`` handler when its expression is due, and long-polls each
``@app.on_sqs_message`` queue, calling the very same handler functions with
Lambda-shaped events. Like an event source mapping with ReportBatchItemFailures,
it deletes the messages that succeeded and leaves the failed ones to come back
(and, after the redrive limit, to land in the DLQ).

A small HTTP control port lets people and tests run a job now:
``GET /jobs``, ``POST /jobs/{name}`` (run it, then drain the queues), ``POST /drain``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import signal
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType
from typing import Any

from chalice import Chalice
from chalice.app import ScheduledEventConfig, ScheduleExpression, SQSEventConfig

from chalicelib.bootstrap import AwsClients
from chalicelib.observability import logger
from chalicelib.settings import Settings
from devstack.lambda_events import LambdaContext, scheduled_event, sqs_event
from devstack.schedules import Schedule


@dataclass
class JobRun:
    name: str
    started_at: str
    ok: bool
    detail: str = ""
    failed_message_ids: list[str] = field(default_factory=list)


@dataclass
class JobClock:
    app_module: ModuleType
    sqs: Any
    queue_prefix: str
    history: list[JobRun] = field(default_factory=list)
    _last_runs: dict[str, datetime] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def app(self) -> Chalice:
        app: Chalice = self.app_module.app
        return app

    @property
    def schedules(self) -> list[ScheduledEventConfig]:
        return [source for source in self.app.event_sources if isinstance(source, ScheduledEventConfig)]

    @property
    def queue_handlers(self) -> list[SQSEventConfig]:
        return [source for source in self.app.event_sources if isinstance(source, SQSEventConfig)]

    def tick(self, now: datetime | None = None) -> list[str]:
        """Run every schedule that is due; returns their names."""
        moment = now or datetime.now(UTC)
        ran = []
        for source in self.schedules:
            if Schedule(_expression(source)).is_due(self._last_runs.get(source.name), moment):
                self.run_job(source.name, moment)
                ran.append(source.name)
        return ran

    def run_job(self, name: str, now: datetime | None = None) -> JobRun:
        source = next((item for item in self.schedules if item.name == name), None)
        if source is None:
            raise KeyError(name)
        moment = now or datetime.now(UTC)
        self._last_runs[name] = moment
        return self._invoke(source, scheduled_event(name, moment))

    def poll_queues(self, wait_seconds: int = 0) -> int:
        """One receive per queue; returns how many messages were handed to handlers."""
        handled = 0
        for source in self.queue_handlers:
            url = self._queue_url(source)
            received = self.sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=min(10, source.batch_size),
                WaitTimeSeconds=wait_seconds,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not received:
                continue
            handled += len(received)
            arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            run = self._invoke(source, sqs_event(arn, received))
            failed = set(run.failed_message_ids) if run.ok else {m["MessageId"] for m in received}
            done = [m for m in received if m["MessageId"] not in failed]
            if done:
                self.sqs.delete_message_batch(
                    QueueUrl=url,
                    Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
                )
        return handled

    def drain(self, max_rounds: int = 50) -> int:
        total = 0
        for _ in range(max_rounds):
            handled = self.poll_queues()
            total += handled
            if handled == 0:
                break
        return total

    def _invoke(self, source: ScheduledEventConfig | SQSEventConfig, event: dict[str, Any]) -> JobRun:
        handler = getattr(self.app_module, source.handler_string.rsplit(".", 1)[-1])
        started = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            try:
                result = handler(event, LambdaContext(function_name=source.name))
            except Exception as exc:
                logger.exception("job failed", extra={"job": source.name})
                run = JobRun(source.name, started, ok=False, detail=type(exc).__name__)
            else:
                failures = [item["itemIdentifier"] for item in (result or {}).get("batchItemFailures", [])]
                run = JobRun(source.name, started, ok=True, failed_message_ids=failures)
        self.history = [*self.history[-99:], run]
        return run

    def _queue_url(self, source: SQSEventConfig) -> str:
        url: str = self.sqs.get_queue_url(QueueName=f"{self.queue_prefix}-{source.queue}")["QueueUrl"]
        return url


def _expression(source: ScheduledEventConfig) -> str:
    expression = source.schedule_expression
    return expression.to_string() if isinstance(expression, ScheduleExpression) else str(expression)


def serve_control(clock: JobClock, host: str, port: int) -> ThreadingHTTPServer:
    class Control(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.rstrip("/") in ("", "/jobs"):
                self._reply(
                    200,
                    {
                        "schedules": [{"name": s.name, "schedule": _expression(s)} for s in clock.schedules],
                        "queues": [{"name": q.name, "queue": q.queue} for q in clock.queue_handlers],
                        "history": [run.__dict__ for run in clock.history[-20:]],
                    },
                )
            else:
                self._reply(404, {"error": {"code": "not_found", "message": "Try GET /jobs."}})

        def do_POST(self) -> None:
            path = self.path.rstrip("/")
            if path == "/drain":
                self._reply(200, {"handled": clock.drain()})
            elif path.startswith("/jobs/"):
                try:
                    run = clock.run_job(path.removeprefix("/jobs/"))
                except KeyError:
                    self._reply(404, {"error": {"code": "not_found", "message": "No such scheduled job."}})
                    return
                self._reply(200, {"run": run.__dict__, "handled": clock.drain()})
            else:
                self._reply(404, {"error": {"code": "not_found", "message": "Try POST /jobs/{name}."}})

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *_: Any) -> None:
            return  # the stack has its own logs; no per-request lines on the console

    server = ThreadingHTTPServer((host, port), Control)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description="Run CreatorDeck's schedules and queue handlers locally.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8002)
    parser.add_argument("--app", default="app", help="module holding the Chalice app")
    arguments = parser.parse_args()

    settings = Settings.from_env()
    clock = JobClock(
        importlib.import_module(arguments.app), AwsClients(settings).client("sqs"), settings.table_prefix
    )
    server = serve_control(clock, arguments.host, arguments.port)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    print(f"job clock on http://{arguments.host}:{arguments.port}/jobs", flush=True)
    while not stopping.is_set():
        clock.tick()
        clock.poll_queues(wait_seconds=1)
        time.sleep(0.2)
    server.shutdown()


if __name__ == "__main__":
    main()
