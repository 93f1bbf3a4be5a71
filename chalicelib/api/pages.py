"""Small server-rendered HTML pages for people, not programs: one hashed stylesheet, at most one
hashed script.

The Content-Security-Policy allows nothing but the one inline style block below and, when a page
has one, its own inline script (each by its SHA-256), so a page cannot load or run anything else,
submit a form or be framed; its URL (which may carry a code) is never sent on as a Referer.
"""

from __future__ import annotations

import base64
import hashlib
import html
from datetime import datetime
from typing import Final

from chalice import Response

STYLE: Final = (
    "body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5}dt{font-weight:600}dd{margin:0 0 .75rem}"
)


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


STRICT_CSP: Final = (
    f"default-src 'none'; style-src 'sha256-{_sha256(STYLE)}'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


def html_page(status: int, title: str, body: str, script: str | None = None) -> Response:
    """A complete page; ``body`` is trusted markup (escape every value put into it). ``script``, a
    constant, runs at the end of the page and may call this origin's API, nothing else."""
    policy = STRICT_CSP
    if script is not None:
        policy += f"; script-src 'sha256-{_sha256(script)}'; connect-src 'self'"
        body += f"<script>{script}</script>"
    document = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<meta name='robots' content='noindex'>"
        f"<title>{html.escape(title)}</title><style>{STYLE}</style>"
        f"</head><body><main>{body}</main></body></html>"
    )
    return Response(
        body=document,
        status_code=status,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": policy,
        },
    )


def human_time(moment: datetime) -> str:
    """``<time>`` with the ISO instant for machines and a plain UTC date for people."""
    text = f"{moment:%d %B %Y, %H:%M} UTC".lstrip("0")
    return f"<time datetime='{html.escape(moment.isoformat())}'>{html.escape(text)}</time>"
