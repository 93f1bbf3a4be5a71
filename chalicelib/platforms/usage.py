"""Meta's usage headers (``X-App-Usage``, ``X-Business-Use-Case-Usage``): how close to throttling we are."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = ["Usage", "parse_usage_headers"]


@dataclass
class Usage:
    percent: float
    regain_seconds: float
    seen_at: float


def _percent(entry: Any) -> float:
    if not isinstance(entry, dict):
        return 0.0
    values = [entry.get(k) for k in ("call_count", "total_cputime", "total_time")]
    return max((float(v) for v in values if isinstance(v, int | float)), default=0.0)


def parse_usage_headers(headers: httpx.Headers) -> dict[str, tuple[float, float]]:
    """``{"app": (percent, 0), "<object id>": (percent, regain seconds)}`` from Meta's usage headers."""
    out: dict[str, tuple[float, float]] = {}
    try:
        app = json.loads(headers.get("x-app-usage", "null"))
        buc = json.loads(headers.get("x-business-use-case-usage", "null"))
    except json.JSONDecodeError:
        return out
    if isinstance(app, dict):
        out["app"] = (_percent(app), 0.0)
    if isinstance(buc, dict):
        for object_id, entries in buc.items():
            items = entries if isinstance(entries, list) else [entries]
            percent = max((_percent(e) for e in items), default=0.0)
            minutes = max(
                (float(e.get("estimated_time_to_regain_access") or 0) for e in items if isinstance(e, dict)),
                default=0.0,
            )
            out[str(object_id)] = (percent, minutes * 60)
    return out
