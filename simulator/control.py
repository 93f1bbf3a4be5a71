"""``/_sim/*`` control endpoints: knobs, reset, time travel, ground truth, revocations, webhooks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from simulator.knobs import KnobError
from simulator.responses import json_body, json_response

if TYPE_CHECKING:
    from simulator.app import Simulator

__all__ = ["handle"]

PLATFORMS = ("tiktok", "meta", "threads", "google")


def handle(sim: Simulator, request: httpx.Request, path: str) -> httpx.Response:
    try:
        body = json_body(request) if request.method == "POST" else {}
    except ValueError:
        return _error(400, "body must be JSON")
    if not isinstance(body, dict):
        return _error(400, "body must be a JSON object")
    with sim.lock:
        return _route(sim, request, path.removeprefix("/_sim").rstrip("/"), body)


def _route(sim: Simulator, request: httpx.Request, path: str, body: dict[str, Any]) -> httpx.Response:
    state = sim.state
    key = (request.method, path)
    if key == ("GET", "/knobs"):
        return json_response(200, state.knobs.as_json())
    if key == ("POST", "/knobs"):
        try:
            state.knobs.update(body)
        except KnobError as exc:
            return _error(400, str(exc))
        return json_response(200, state.knobs.as_json())
    if key == ("POST", "/reset"):
        seed = body.get("seed")
        sim.reset(seed if isinstance(seed, int) else None)
        return json_response(200, {"reset": True, "seed": sim.config.seed, "now": sim.state.now()})
    if key == ("GET", "/revocations"):
        return json_response(200, {"revocations": [r.as_json() for r in state.revocations]})
    if key == ("GET", "/creators"):
        now = state.now()
        logins = [
            {
                **login.as_json(),
                # Owned accounts, including Instagram accounts linked to the login's Pages.
                "accounts": [
                    a.as_json(now) for a in state.world.accounts.values() if a.owner == login.user_id
                ],
            }
            for login in state.world.logins
        ]
        return json_response(200, {"now": now, "logins": logins})
    if key == ("GET", "/clients"):
        return json_response(200, {"clients": [c.as_json() for c in state.clients.values()]})
    if key == ("GET", "/clock"):
        return json_response(200, {"now": state.now()})
    if key == ("POST", "/advance"):
        hours = body.get("hours", 0)
        days = body.get("days", 0)
        if not isinstance(hours, int | float) or not isinstance(days, int | float) or hours < 0 or days < 0:
            return _error(400, "hours and days must be non-negative numbers")
        state.clock.advance(hours * 3600 + days * 86400)
        return json_response(200, {"now": state.now()})
    if key == ("POST", "/revoke"):
        platform, user_id = body.get("platform"), body.get("user_id")
        if platform not in PLATFORMS or not isinstance(user_id, str):
            return _error(400, f"platform must be one of {', '.join(PLATFORMS)} and user_id a string")
        reason = body.get("reason", "revoked")
        killed = state.revoke_user(platform, None, user_id, via="sim", reason=str(reason))
        return json_response(200, {"revoked_tokens": killed})
    if key == ("POST", "/expire"):
        platform, user_id = body.get("platform"), body.get("user_id")
        count = state.expire_tokens(
            platform if isinstance(platform, str) else None, user_id if isinstance(user_id, str) else None
        )
        return json_response(200, {"expired_tokens": count})
    if key == ("GET", "/webhooks"):
        return json_response(200, {"webhooks": state.webhooks})
    if key == ("GET", "/base-urls"):
        origin = f"{request.url.scheme}://{request.url.netloc.decode()}"
        return json_response(200, sim.base_urls(None if request.url.host == "simulator.local" else origin))
    return _error(404, f"no control endpoint {request.method} /_sim{path}")


def _error(status: int, message: str) -> httpx.Response:
    return json_response(status, {"error": message})
