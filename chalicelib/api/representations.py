"""The dashboard's two answers besides plain JSON: cacheable JSON (ETag, 304) and CSV downloads.

CSV cells that are text and start with ``= + - @`` (or a tab or carriage return) are prefixed
with ``'``: a spreadsheet would otherwise run them as formulas (CSV injection). Numbers are left
as they are, so a negative growth stays a number.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Final

from chalice import Response
from chalice.app import Request

from chalicelib.api.routing import JSON

CSV: Final = "text/csv"
CACHE_CONTROL: Final = "private, no-cache"
FORMAT_QUERY: Final[dict[str, Any]] = {"enum": ["json", "csv"]}
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_NAME: Final = re.compile(r"[^A-Za-z0-9_.-]+")


def wants_csv(query: Mapping[str, Any]) -> bool:
    return query.get("format") == "csv"


def entity_tag(body: Mapping[str, Any], volatile: Iterable[str] = ()) -> str:
    """A strong tag of the body; ``volatile`` fields (a generation time) do not change it."""
    skipped = set(volatile)
    stable = {key: value for key, value in body.items() if key not in skipped}
    canonical = json.dumps(stable, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:40] + '"'


def conditional_json(request: Request, body: Mapping[str, Any], volatile: Iterable[str] = ()) -> Response:
    """The body with its ETag, or 304 and no body when the client already holds this version."""
    tag = entity_tag(body, volatile)
    headers: dict[str, str | list[str]] = {"ETag": tag, "Cache-Control": CACHE_CONTROL}
    if _matches(request.headers.get("if-none-match"), tag):
        return Response(body="", status_code=304, headers=headers)
    return Response(body=dict(body), status_code=200, headers={"Content-Type": JSON, **headers})


def _matches(header: str | None, tag: str) -> bool:
    if not header:
        return False
    candidates = {candidate.strip().removeprefix("W/") for candidate in header.split(",")}
    return "*" in candidates or tag in candidates


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()


def csv_download(rows: Iterable[Sequence[Any]], view: str, subject: str, day: date) -> Response:
    """``<view>-<subject>-<date>.csv`` as an attachment."""
    name = _UNSAFE_NAME.sub("_", f"{view}-{subject}-{day.isoformat()}") + ".csv"
    return Response(
        body=csv_text(rows),
        status_code=200,
        headers={
            "Content-Type": f"{CSV}; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )
