"""CreatorDeck's Chalice app: blueprints, middleware, schedules and queue handlers. No logic."""

from __future__ import annotations

from typing import Any

from chalice import Chalice, Rate
from chalice.app import SQSEvent

from chalicelib.api.errors import make_error_middleware
from chalicelib.api.registry import BLUEPRINTS
from chalicelib.bootstrap import services
from chalicelib.jobs import ingest as ingest_job
from chalicelib.jobs import privacy as privacy_job
from chalicelib.jobs import token_refresh as token_refresh_job

app = Chalice(app_name="creatordeck")
app.register_middleware(make_error_middleware(lambda: services().settings.max_body_bytes), "http")
for api in BLUEPRINTS:
    app.register_blueprint(api.blueprint)


@app.schedule(Rate(30, unit=Rate.MINUTES), name="token-refresh")
def token_refresh(event: Any) -> dict[str, int]:
    return token_refresh_job.handle(event)


@app.schedule(Rate(15, unit=Rate.MINUTES), name="ingest-dispatch")
def ingest_dispatch(event: Any) -> dict[str, int]:
    return ingest_job.dispatch(event)


@app.on_sqs_message(queue="ingest", batch_size=10, name="ingest-worker")
def ingest_worker(event: SQSEvent) -> dict[str, Any]:
    return ingest_job.work(event.to_dict(), event.context)


@app.schedule(Rate(1, unit=Rate.HOURS), name="retention-sweep")
def retention_sweep(event: Any) -> dict[str, float]:
    return privacy_job.sweep(event)


@app.on_sqs_message(queue="privacy", batch_size=5, name="privacy-worker")
def privacy_worker(event: SQSEvent) -> dict[str, Any]:
    return privacy_job.work(event.to_dict())
