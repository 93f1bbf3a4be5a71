"""Building httpx responses and reading request parameters the way the platforms do."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from typing import Any

import httpx

__all__ = [
    "SimulatedDisconnectError",
    "SimulatedTimeoutError",
    "bearer_token",
    "form_params",
    "html_response",
    "json_body",
    "json_response",
    "query_params",
    "redirect_response",
]


class SimulatedDisconnectError(Exception):
    """Raised by a handler to drop the connection without an answer (the ``close`` timeout mode)."""


class SimulatedTimeoutError(Exception):
    """Raised by a handler to make an in-process caller see a read timeout."""


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> httpx.Response:
    content = json.dumps(body, separators=(",", ":")).encode()
    merged = {"Content-Type": "application/json; charset=UTF-8", **(headers or {})}
    return httpx.Response(status, content=content, headers=merged)


def html_response(status: int, page: str) -> httpx.Response:
    return httpx.Response(status, content=page.encode(), headers={"Content-Type": "text/html; charset=utf-8"})


def redirect_response(uri: str, params: Mapping[str, str], fragment: str = "") -> httpx.Response:
    """302 to ``uri`` with ``params`` appended to any query it already has."""
    parts = urllib.parse.urlsplit(uri)
    query = urllib.parse.urlencode([*urllib.parse.parse_qsl(parts.query), *params.items()])
    location = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, query, fragment))
    return httpx.Response(302, headers={"Location": location, "Cache-Control": "no-store"})


def query_params(request: httpx.Request) -> dict[str, str]:
    return dict(request.url.params.multi_items())


def is_form(request: httpx.Request) -> bool:
    content_type: str = request.headers.get("content-type", "")
    return content_type.split(";")[0].strip() == "application/x-www-form-urlencoded"


def form_params(request: httpx.Request) -> dict[str, str]:
    """Single-valued form fields; empty when the body is not form-encoded."""
    if not is_form(request):
        return {}
    return dict(urllib.parse.parse_qsl(request.content.decode(), keep_blank_values=True))


def form_multi(request: httpx.Request) -> list[tuple[str, str]]:
    if not is_form(request):
        return []
    return urllib.parse.parse_qsl(request.content.decode(), keep_blank_values=True)


def json_body(request: httpx.Request) -> Any:
    """The decoded JSON body, ``{}`` when empty; raises ValueError when it is not JSON."""
    raw = request.content
    if not raw.strip():
        return {}
    return json.loads(raw)


def bearer_token(request: httpx.Request) -> str | None:
    header: str = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None
