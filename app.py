"""CreatorDeck's Chalice app: blueprints, middleware, schedules and queue handlers. No logic."""

from __future__ import annotations

from typing import Any

from chalice import Chalice, Rate

from chalicelib.api.errors import make_error_middleware
from chalicelib.api.registry import BLUEPRINTS
from chalicelib.bootstrap import services
from chalicelib.jobs import token_refresh as token_refresh_job

app = Chalice(app_name="creatordeck")
app.register_middleware(make_error_middleware(lambda: services().settings.max_body_bytes), "http")
for api in BLUEPRINTS:
    app.register_blueprint(api.blueprint)


@app.schedule(Rate(30, unit=Rate.MINUTES), name="token-refresh")
def token_refresh(event: Any) -> dict[str, int]:
    return token_refresh_job.handle(event)
