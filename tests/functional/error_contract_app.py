"""A small app wired exactly like app.py (same middleware, same route declarations), with
routes that exercise each branch of the error contract."""

from __future__ import annotations

from typing import Any

from chalice import Chalice

from chalicelib.api.errors import make_error_middleware
from chalicelib.api.routing import ApiBlueprint
from chalicelib.domain.errors import ConflictError, NotFoundError, RateLimitedError

MAX_BODY_BYTES = 2048
LEAKY_SECRET = "Bearer sk_live_should_never_be_seen_1234567890"

routes = ApiBlueprint(__name__, tag="test")

PROFILE = {
    "type": "object",
    "required": ["email", "password", "age"],
    "additionalProperties": False,
    "properties": {
        "email": {"type": "string", "format": "email"},
        "password": {"type": "string", "minLength": 12},
        "age": {"type": "integer", "minimum": 13},
    },
}


@routes.route(
    "/api/profiles", "POST", summary="Create", response={"type": "object"}, body=PROFILE, status=201
)
def create_profile(body: dict[str, Any]) -> dict[str, Any]:
    return {"email": body["email"]}


@routes.route("/api/profiles/{profile_id}", "GET", summary="Read", response={"type": "object"}, errors=(404,))
def read_profile(profile_id: str) -> dict[str, Any]:
    raise NotFoundError(f"No profile {profile_id}.")


@routes.route("/api/conflict", "POST", summary="Conflict", response=None, errors=(409,))
def conflict() -> None:
    raise ConflictError("That invitation was already used.", code="invitation_used")


@routes.route("/api/limited", "GET", summary="Limited", response=None, errors=(429,))
def limited() -> None:
    raise RateLimitedError("Too many attempts.", retry_after_seconds=30)


@routes.route("/api/crash", "GET", summary="Crash", response=None)
def crash() -> None:
    raise RuntimeError(f"database password is hunter2 and token {LEAKY_SECRET}")


app = Chalice(app_name="error-contract")
app.register_middleware(make_error_middleware(lambda: MAX_BODY_BYTES), "http")
app.register_blueprint(routes.blueprint)
