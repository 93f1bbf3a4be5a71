"""CreatorDeck's Chalice app: blueprints, middleware, schedules and queue handlers. No logic."""

from __future__ import annotations

from chalice import Chalice

from chalicelib.api.errors import make_error_middleware
from chalicelib.api.registry import BLUEPRINTS
from chalicelib.bootstrap import services

app = Chalice(app_name="creatordeck")
app.register_middleware(make_error_middleware(lambda: services().settings.max_body_bytes), "http")
for api in BLUEPRINTS:
    app.register_blueprint(api.blueprint)
