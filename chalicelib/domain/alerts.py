"""What an alert says to people, and the opaque id that finds it again in one read.

An alert is stored under ``ALERT#<created, ISO>#<id>`` in its workspace's partition. Its public id
is that sort key, base64url-encoded: acknowledging it is one GetItem and one UpdateItem, with no
index. A public id that does not decode to a well-formed key is simply not found.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime
from enum import StrEnum
from typing import Final


class AlertKind(StrEnum):
    VIRAL_POST = "viral_post"
    FOLLOWER_SPIKE = "follower_spike"
    FOLLOWER_DROP = "follower_drop"
    SYNC_FAILED = "sync_failed"
    NEEDS_REAUTH = "needs_reauth"


_SORT_KEY: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00#[A-Za-z0-9_\-]{1,64}")
MAX_PUBLIC_ID: Final = 160


def alert_message(
    kind: str,
    *,
    views_multiple: float | None = None,
    follower_change_pct: float | None = None,
    followers: int | None = None,
) -> str:
    """One sentence for people, from the numbers stored with the alert."""
    if kind == AlertKind.VIRAL_POST:
        if views_multiple is None:
            return "A post is getting far more views than your usual posts."
        return f"A post is getting {views_multiple:.1f}× your usual views."  # noqa: RUF001
    if kind in (AlertKind.FOLLOWER_SPIKE, AlertKind.FOLLOWER_DROP):
        verb = "grew" if kind == AlertKind.FOLLOWER_SPIKE else "fell"
        change = f" {abs(follower_change_pct):.1f}%" if follower_change_pct is not None else ""
        now = f", to {followers:,}" if followers is not None else ""
        return f"Followers {verb}{change} in a day{now}."
    if kind == AlertKind.SYNC_FAILED:
        return "Syncing this account failed repeatedly; its numbers may be out of date."
    if kind == AlertKind.NEEDS_REAUTH:
        return "This account must be reconnected before its numbers can update."
    return "Something changed on this account."


def public_alert_id(created_at: datetime, alert_id: str) -> str:
    return encode_sort_key(f"{created_at.isoformat()}#{alert_id}")


def encode_sort_key(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def sort_key_of(public_id: str) -> str | None:
    """``<created>#<id>`` named by a public id; None when it names nothing an alert could be."""
    if not public_id or len(public_id) > MAX_PUBLIC_ID:
        return None
    try:
        key = base64.urlsafe_b64decode(public_id + "=" * (-len(public_id) % 4)).decode()
    except (binascii.Error, ValueError):
        return None
    return key if _SORT_KEY.fullmatch(key) else None
