"""Small server-rendered HTML pages for people, not programs: no script, one hashed stylesheet.

The Content-Security-Policy allows nothing but the one inline style block below (by its SHA-256),
so a page cannot load, run, submit or be framed by anything; its URL (which may carry a code) is
never sent on as a Referer.
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
_STYLE_HASH: Final = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
STRICT_CSP: Final = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


def html_page(status: int, title: str, body: str) -> Response:
    """A complete page; ``body`` is trusted markup (escape every value put into it)."""
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
            "Content-Security-Policy": STRICT_CSP,
        },
    )


def human_time(moment: datetime) -> str:
    """``<time>`` with the ISO instant for machines and a plain UTC date for people."""
    text = f"{moment:%d %B %Y, %H:%M} UTC".lstrip("0")
    return f"<time datetime='{html.escape(moment.isoformat())}'>{html.escape(text)}</time>"
