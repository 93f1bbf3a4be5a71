"""The local same-origin front, standing in for CloudFront.

``/api/*`` goes to ``chalice local``; everything else is the static web app built
into ``web/dist`` (``make web``), with the security headers and caching CloudFront
sends. Like the API Gateway gateway response that Terraform configures, a path no
route matches (Chalice local's 403 "Missing Authentication Token") becomes a 404 in
the API's error shape.
"""

from __future__ import annotations

import html
import http.client
import json
import mimetypes
import re
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Final

_HOP_BY_HOP: Final = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "server",
        "date",
    }
)
_METHODS: Final = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# What CloudFront's response headers policy sends (HSTS too there; pointless on http://127.0.0.1).
SECURITY_HEADERS: Final = (
    (
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    ),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
)
# Vite puts content-hashed files under assets/: they never change, so browsers may keep them.
IMMUTABLE: Final = "public, max-age=31536000, immutable"
REVALIDATE: Final = "no-cache"
_CONTENT_TYPES: Final = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webmanifest": "application/manifest+json",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
}
NOT_BUILT_HINT: Final = "The web app is not built (web/dist/index.html is missing): run `make web`."
_NOT_BUILT: Final = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>CreatorDeck</title></head><body><main><h1>CreatorDeck</h1>
<p>The API is running. {html.escape(NOT_BUILT_HINT)}</p>
<ul><li><a href="/api/health">/api/health</a></li>
<li><a href="/api/openapi.json">/api/openapi.json</a></li></ul>
</main></body></html>""".encode()


def content_type_of(path: Path) -> str:
    return (
        _CONTENT_TYPES.get(path.suffix.lower())
        or mimetypes.guess_type(path.name)[0]
        or "application/octet-stream"
    )


def not_found_body() -> bytes:
    return json.dumps(
        {
            "error": {
                "code": "not_found",
                "message": "No API route matches this path.",
                "request_id": str(uuid.uuid4()),
            }
        }
    ).encode()


def outbox_page(outbox: Path) -> bytes:
    """The local outbox: mail the app sent (invitations, resets), newest first."""
    from chalicelib.storage.mailers import read_outbox

    items = []
    for message in reversed(read_outbox(outbox)):
        text = html.escape(message["text"])
        text = re.sub(r"(https?://[^\s<]+)", r'<a href="\1">\1</a>', text)
        items.append(
            f"<article><h2>{html.escape(message['subject'])}</h2>"
            f"<p>To: {html.escape(message['to'])}</p><pre>{text}</pre></article>"
        )
    body = "".join(items) or "<p>No mail yet.</p>"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Local outbox</title></head>'
        "<body><main><h1>Local outbox</h1><p>Mail the local stack sent, newest first.</p>"
        f"{body}</main></body></html>"
    ).encode()


def make_handler(
    api_host: str, api_port: int, web_root: Path, outbox: Path | None = None
) -> type[BaseHTTPRequestHandler]:
    class Front(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _proxy(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {name: value for name, value in self.headers.items() if name.lower() not in _HOP_BY_HOP}
            upstream = http.client.HTTPConnection(api_host, api_port, timeout=60)
            try:
                upstream.request(self.command, self.path, body=body, headers=headers)
                reply = upstream.getresponse()
                payload = reply.read()
                status = reply.status
                reply_headers = [(k, v) for k, v in reply.getheaders() if k.lower() not in _HOP_BY_HOP]
            except OSError:
                self._send(
                    502,
                    [("Content-Type", "application/json")],
                    json.dumps(
                        {
                            "error": {
                                "code": "api_unavailable",
                                "message": "The local API is not answering.",
                                "request_id": str(uuid.uuid4()),
                            }
                        }
                    ).encode(),
                )
                return
            finally:
                upstream.close()
            if status == 403 and b"Missing Authentication Token" in payload:
                status, reply_headers, payload = 404, [("Content-Type", "application/json")], not_found_body()
            self._send(status, reply_headers, payload)

        def _static(self) -> None:
            if self.command not in ("GET", "HEAD"):
                self._send(
                    405, [("Allow", "GET, HEAD"), ("Content-Type", "text/plain")], b"Method Not Allowed"
                )
                return
            relative = self.path.split("?", 1)[0].split("#", 1)[0].lstrip("/") or "index.html"
            root = web_root.resolve()
            candidate = (root / relative).resolve()
            if candidate.is_relative_to(root) and candidate.is_file():
                cache = IMMUTABLE if candidate.parent == root / "assets" else REVALIDATE
                headers = [("Content-Type", content_type_of(candidate)), ("Cache-Control", cache)]
                self._send(200, headers, candidate.read_bytes())
            elif relative.startswith("assets/") or "." in relative.rsplit("/", 1)[-1]:
                # A missing file is a 404, not the app's HTML under a script's name.
                self._send(
                    404,
                    [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", REVALIDATE)],
                    b"Not Found",
                )
            elif (root / "index.html").is_file():  # single-page app: the client routes
                headers = [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", REVALIDATE)]
                self._send(200, headers, (root / "index.html").read_bytes())
            else:
                headers = [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", REVALIDATE)]
                self._send(200, headers, _NOT_BUILT)

        def _send(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
            self.send_response(status)
            present = {name.lower() for name, _ in headers}
            for name, value in [*headers, *(h for h in SECURITY_HEADERS if h[0].lower() not in present)]:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the browser went away (navigated on): nothing to tell

        def _route(self) -> None:
            if outbox is not None and self.path.split("?")[0].rstrip("/") == "/_dev/outbox":
                headers = [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")]
                self._send(200, headers, outbox_page(outbox))
            elif self.path == "/api" or self.path.startswith("/api/"):
                self._proxy()
            else:
                self._static()

        def _refuse_method(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                # Not ours to parse, but left unread it would poison the kept-alive connection.
                self.rfile.read(length)
            body = json.dumps(
                {
                    "error": {
                        "code": "method_not_allowed",
                        "message": f"{self.command} is not supported here.",
                        "request_id": str(uuid.uuid4()),
                    }
                }
            ).encode()
            self._send(405, [("Content-Type", "application/json"), ("Allow", ", ".join(_METHODS))], body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _route

        def __getattr__(self, name: str) -> Any:
            # http.server looks up do_<METHOD>; any method we do not serve gets a 405, not a 501.
            if name.startswith("do_"):
                return self._refuse_method
            raise AttributeError(name)

        def log_message(self, *_: Any) -> None:
            return  # the stack has its own logs; no per-request lines on the console

    return Front


def serve_front(
    host: str, port: int, api_host: str, api_port: int, web_root: Path, outbox: Path | None = None
) -> ThreadingHTTPServer:
    if not (web_root / "index.html").is_file():
        print(f"Note: {NOT_BUILT_HINT}", file=sys.stderr, flush=True)
    server = ThreadingHTTPServer((host, port), make_handler(api_host, api_port, web_root, outbox))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
