"""Response schemas of the dashboard and alerts routes (see docs/api-dashboard-notes.md)."""

from __future__ import annotations

from typing import Any, Final

from chalicelib.api.schemas import NULLABLE_TIMESTAMP, TIMESTAMP, obj
from chalicelib.domain.alerts import AlertKind
from chalicelib.domain.platforms import Platform

COUNT: Final[dict[str, Any]] = {"type": ["integer", "null"]}
RATE: Final[dict[str, Any]] = {"type": ["number", "null"]}
DATE: Final[dict[str, Any]] = {"type": "string", "format": "date"}
PLATFORM: Final[dict[str, Any]] = {"enum": [p.value for p in Platform]}
SHARES: Final = {
    "type": "array",
    "items": obj(["key", "share"], {"key": {"type": "string"}, "share": {"type": "number"}}, closed=False),
}

ACCOUNT_SUMMARY: Final = obj(
    [
        "connection_id",
        "platform",
        "account_name",
        "status",
        "needs_reauth",
        "last_sync_at",
        "followers",
        "growth",
        "engagement_rate",
        "open_alerts",
    ],
    {
        "connection_id": {"type": "string"},
        "platform": PLATFORM,
        "account_name": {"type": "string"},
        "status": {"enum": ["active", "needs_reauth", "disconnected"]},
        "needs_reauth": {"type": "boolean"},
        "last_sync_at": NULLABLE_TIMESTAMP,
        "followers": COUNT,
        "growth": obj(["7d", "30d", "90d"], {"7d": COUNT, "30d": COUNT, "90d": COUNT}, closed=False),
        "engagement_rate": RATE,
        "open_alerts": {"type": "integer"},
    },
    closed=False,
)
ROSTER: Final = obj(
    ["generated_at", "creators"],
    {
        "generated_at": TIMESTAMP,
        "creators": {
            "type": "array",
            "items": obj(
                ["member_id", "name", "accounts"],
                {
                    "member_id": {"type": ["string", "null"]},
                    "name": {"type": "string"},
                    "accounts": {"type": "array", "items": ACCOUNT_SUMMARY},
                },
                closed=False,
            ),
        },
    },
    closed=False,
)
POST_ROW: Final = obj(
    ["id", "created_at", "caption_excerpt", "permalink", "media_type", "views", "likes", "comments"],
    {
        "id": {"type": "string"},
        "created_at": TIMESTAMP,
        "caption_excerpt": {"type": "string"},
        "permalink": {"type": ["string", "null"]},
        "media_type": {"type": "string"},
        "views": COUNT,
        "likes": COUNT,
        "comments": COUNT,
        "shares": COUNT,
        "saves": COUNT,
        "engagement_rate": RATE,
    },
    closed=False,
)
ACCOUNT: Final = obj(
    ["account", "range", "followers", "cadence", "top_posts"],
    {
        "account": ACCOUNT_SUMMARY,
        "range": obj(["since", "until"], {"since": DATE, "until": DATE}, closed=False),
        "followers": {
            "type": "array",
            "items": obj(["date", "value"], {"date": DATE, "value": {"type": "integer"}}, closed=False),
        },
        "cadence": obj(
            ["posts_last_30d", "posts_per_week", "weekly"],
            {
                "posts_last_30d": {"type": "integer"},
                "posts_per_week": {"type": "number"},
                "weekly": {
                    "type": "array",
                    "items": obj(
                        ["week_start", "posts"],
                        {"week_start": DATE, "posts": {"type": "integer"}},
                        closed=False,
                    ),
                },
            },
            closed=False,
        ),
        "top_posts": {"type": "array", "items": POST_ROW},
    },
    closed=False,
)
POSTS_PAGE: Final = obj(
    ["items", "next_cursor", "total"],
    {
        "items": {"type": "array", "items": POST_ROW},
        "next_cursor": {"type": ["string", "null"]},
        "total": {"type": "integer"},
    },
    closed=False,
)
POST: Final = obj(
    ["post", "views_at", "history"],
    {
        "post": POST_ROW,
        "views_at": {"type": "object", "additionalProperties": {"type": "integer"}},
        "history": {
            "type": "array",
            "items": obj(
                ["taken_at"],
                {
                    "taken_at": TIMESTAMP,
                    "views": COUNT,
                    "likes": COUNT,
                    "comments": COUNT,
                    "shares": COUNT,
                    "saves": COUNT,
                },
                closed=False,
            ),
        },
    },
    closed=False,
)
DEMOGRAPHICS: Final = obj(
    ["available", "reason", "taken_at", "genders", "age_ranges", "countries", "us_share"],
    {
        "available": {"type": "boolean"},
        "reason": {
            "enum": [
                None,
                "not_provided_by_platform",
                "below_threshold",
                "not_synced_yet",
                "permission_missing",
            ]
        },
        "taken_at": NULLABLE_TIMESTAMP,
        "genders": SHARES,
        "age_ranges": SHARES,
        "countries": SHARES,
        "us_share": RATE,
    },
    closed=False,
)
ALERT: Final = obj(
    ["id", "kind", "connection_id", "platform", "account_name", "post_id", "message", "created_at"],
    {
        "id": {"type": "string"},
        "kind": {"enum": [kind.value for kind in AlertKind]},
        "connection_id": {"type": "string"},
        "platform": PLATFORM,
        "account_name": {"type": "string"},
        "post_id": {"type": ["string", "null"]},
        "message": {"type": "string"},
        "created_at": TIMESTAMP,
        "acknowledged_at": NULLABLE_TIMESTAMP,
        "acknowledged_by": {"type": ["string", "null"]},
    },
    closed=False,
)
ALERTS_PAGE: Final = obj(
    ["items", "next_cursor"],
    {"items": {"type": "array", "items": ALERT}, "next_cursor": {"type": ["string", "null"]}},
    closed=False,
)
