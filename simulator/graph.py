"""What Facebook, Instagram and Threads Graph hosts share: errors, token checks, fields, paging, usage."""

from __future__ import annotations

import base64
import datetime
import json
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from simulator.responses import bearer_token, json_response, query_params
from simulator.state import SimState, Token

__all__ = [
    "REDIRECT_MISMATCH",
    "TOKEN_ALPHABET",
    "graph_error",
    "iso_time",
    "paginate",
    "parse_fields",
    "parse_time",
    "request_token",
    "split_version",
    "token_problem",
    "unknown_node",
    "usage_headers",
]

REDIRECT_MISMATCH = (
    "Error validating verification code. Please make sure your redirect_uri is identical to the one you used "
    "in the OAuth dialog request"
)
VERSION = re.compile(r"^v\d+\.\d+$")
TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def meta_denial(params: Mapping[str, str]) -> dict[str, str]:
    """Where Meta's login dialogs (Facebook, Threads) send the browser when the person declines."""
    out = {"error_reason": "user_denied", "error": "access_denied", "error_description": "Permissions error"}
    if "state" in params:
        out["state"] = params["state"]
    return out


def split_version(path: str) -> tuple[str | None, str]:
    """``/v25.0/me/accounts`` -> (``v25.0``, ``me/accounts``); unversioned paths are accepted too."""
    head, _, rest = path.strip("/").partition("/")
    if VERSION.match(head):
        return head, rest
    return None, path.strip("/")


def graph_error(
    status: int,
    message: str,
    code: int,
    *,
    subcode: int | None = None,
    error_type: str = "OAuthException",
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    error: dict[str, Any] = {"message": message, "type": error_type, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error.update(extra or {})
    error["fbtrace_id"] = "Sim" + base64.urlsafe_b64encode(f"{code}:{message}".encode()).decode()[:16]
    return json_response(status, {"error": error}, headers)


def unknown_node(node: str) -> httpx.Response:
    message = (
        f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded due to missing "
        "permissions, or does not support this operation. Please read the Graph API documentation at "
        "https://developers.facebook.com/docs/graph-api"
    )
    return graph_error(400, message, 100, subcode=33, error_type="GraphMethodException")


def request_token(request: httpx.Request) -> str | None:
    return request.url.params.get("access_token") or bearer_token(request)


def _pst(ts: float) -> str:
    return time.strftime("%A, %d-%b-%y %H:%M:%S PST", time.gmtime(ts - 8 * 3600))


def token_problem(
    state: SimState, value: str | None, token: Token | None, app_id: str
) -> httpx.Response | None:
    """The exact Graph error for a missing, unknown, expired or revoked token; None if it is usable."""
    if not value:
        return graph_error(
            400, "An active access token must be used to query information about the current user.", 2500
        )
    if token is None:
        return graph_error(400, "Invalid OAuth access token - Cannot parse access token", 190)
    reasons = {
        "app_removed": (
            458,
            f"Error validating access token: The user has not authorized application {app_id}.",
        ),
        "password_changed": (
            460,
            "Error validating access token: The session has been invalidated because the user changed their "
            "password or Facebook has changed the session for security reasons.",
        ),
        "role_lost": (492, "Error validating access token: The user must be an administrator of the page."),
    }
    if token.revoked_reason is not None:
        subcode, message = reasons.get(
            token.revoked_reason, (None, "Error validating access token: The session has been invalidated.")
        )
        return graph_error(400, message, 190, subcode=subcode)
    now = state.now()
    if token.expired(now):
        assert token.expires_at is not None
        message = (
            f"Error validating access token: Session has expired on {_pst(token.expires_at)}. "
            f"The current time is {_pst(now)}."
        )
        return graph_error(400, message, 190, subcode=463)
    return None


def parse_fields(raw: str | None) -> list[tuple[str, str | None]]:
    """``id,media{id,caption},name`` -> [("id", None), ("media", "id,caption"), ("name", None)]."""
    if not raw:
        return []
    out: list[tuple[str, str | None]] = []
    depth, start = 0, 0
    for i, ch in enumerate(raw + ","):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            part = raw[start:i].strip()
            start = i + 1
            if not part:
                continue
            name, brace, inner = part.partition("{")
            out.append((name.strip(), inner.rstrip("}") if brace else None))
    return out


def select_fields(
    values: Mapping[str, Any], raw: str | None, default: Sequence[str], node_type: str
) -> dict[str, Any] | httpx.Response:
    """Project ``values`` on the requested fields, with Graph's error for a field the node lacks."""
    wanted = [name for name, _ in parse_fields(raw)] or list(default)
    for name in wanted:
        if name not in values:
            return graph_error(
                400, f"(#100) Tried accessing nonexisting field ({name}) on node type ({node_type})", 100
            )
    return {name: values[name] for name in wanted if values[name] is not None}


def iso_time(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(ts))


def parse_time(raw: str | None) -> float | None:
    """``since``/``until``: Unix seconds or an ISO-8601 date/time (UTC when no offset); None if unreadable."""
    if not raw:
        return None
    if raw.isdigit():
        return float(raw)
    try:
        parsed = datetime.datetime.fromisoformat(raw)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed.timestamp()


def _cursor(item_id: str, hold: bool = False) -> str:
    raw = f"{item_id}|hold" if hold else item_id
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, bool] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    item_id, _, hold = raw.partition("|")
    return item_id, hold == "hold"


def paginate(
    state: SimState, request: httpx.Request, items: list[dict[str, Any]]
) -> dict[str, Any] | httpx.Response:
    """Cursor paging over ``items`` (each with an ``id``); the last page has no ``paging.next``."""
    params = query_params(request)
    knobs = state.knobs
    try:
        limit = int(params.get("limit", knobs.meta_default_limit))
    except ValueError:
        return graph_error(400, "(#100) Param limit must be a number", 100)
    limit = max(1, min(limit, knobs.meta_max_limit))
    ids = [str(item["id"]) for item in items]
    start = 0
    for name in ("after", "before"):
        if name not in params:
            continue
        decoded = _decode_cursor(params[name])
        if decoded is None or decoded[0] not in ids:
            return graph_error(400, f"(#100) The {name} parameter is invalid", 100)
        index = ids.index(decoded[0])
        if name == "after" and decoded[1]:
            plain = _cursor(decoded[0])
            return {"data": [], "paging": _paging(request, plain, plain, plain)}
        start = index + 1 if name == "after" else max(0, index - limit)
        break
    page = items[start : start + limit]
    if not page:
        return {"data": []}
    has_next = start + limit < len(items)
    # With the knob on, the cursor after a full page leads to one empty page that still has ``next``.
    after = _cursor(str(page[-1]["id"]), hold=has_next and knobs.meta_empty_page_with_next)
    paging = _paging(request, _cursor(str(page[0]["id"])), after, after if has_next else None)
    if start > 0:
        paging["previous"] = str(
            request.url.copy_remove_param("after").copy_set_param("before", _cursor(ids[start]))
        )
    return {"data": page, "paging": paging}


def _paging(request: httpx.Request, before: str, after: str, next_after: str | None) -> dict[str, Any]:
    paging: dict[str, Any] = {"cursors": {"before": before, "after": after}}
    if next_after is not None:
        paging["next"] = str(request.url.copy_remove_param("before").copy_set_param("after", next_after))
    return paging


def usage_headers(
    state: SimState, app_key: str, object_id: str | None, buc_type: str
) -> dict[str, str] | httpx.Response:
    """Count one call; return the usage headers, or the throttling error once a budget is used up."""
    knobs = state.knobs
    app_calls = state.count_call(f"meta-app:{app_key}", 3600)
    app_pct = min(100, app_calls * 100 // max(1, knobs.meta_app_calls_per_hour))
    headers = {
        "X-App-Usage": json.dumps(
            {"call_count": app_pct, "total_cputime": app_pct // 2, "total_time": app_pct // 2}
        )
    }
    if app_calls > knobs.meta_app_calls_per_hour:
        return graph_error(
            400, "(#4) Application request limit reached", 4, extra={"is_transient": True}, headers=headers
        )
    if object_id is None:
        return headers
    buc_calls = state.count_call(f"meta-buc:{object_id}", 86400)
    pct = min(100, buc_calls * 100 // max(1, knobs.meta_buc_calls_per_day))
    blocked = buc_calls > knobs.meta_buc_calls_per_day
    entry = {
        "type": buc_type,
        "call_count": pct,
        "total_cputime": pct // 2,
        "total_time": pct // 2,
        "estimated_time_to_regain_access": 60 if blocked else 0,
    }
    headers["X-Business-Use-Case-Usage"] = json.dumps({object_id: [entry]})
    if blocked:
        if buc_type == "instagram":
            message, code = (
                "There have been too many calls to this Instagram account. Wait a bit and try again.",
                80002,
            )
        else:
            message, code = (
                "There have been too many calls to this Page account. Wait a bit and try again.",
                80001,
            )
        return graph_error(400, f"(#{code}) {message}", code, headers=headers)
    return headers
