"""JSON Schemas shared by several routes."""

from __future__ import annotations

from typing import Any, Final

from chalicelib.domain.permissions import Action, Role
from chalicelib.domain.snapshots import MAX_RETENTION, MIN_RETENTION

EMAIL: Final[dict[str, Any]] = {"type": "string", "format": "email", "maxLength": 254}
PASSWORD: Final[dict[str, Any]] = {"type": "string", "minLength": 12, "maxLength": 256}
NAME: Final[dict[str, Any]] = {"type": "string", "minLength": 1, "maxLength": 120, "pattern": r"\S"}
TOKEN: Final[dict[str, Any]] = {"type": "string", "minLength": 16, "maxLength": 512}
ROLE: Final[dict[str, Any]] = {"enum": [role.value for role in Role]}
ACTION: Final[dict[str, Any]] = {"enum": [action.value for action in Action]}
TIMESTAMP: Final[dict[str, Any]] = {"type": "string", "format": "date-time"}
NULLABLE_TIMESTAMP: Final[dict[str, Any]] = {"type": ["string", "null"], "format": "date-time"}


def obj(required: list[str], properties: dict[str, Any], *, closed: bool = True) -> dict[str, Any]:
    """An object schema; request schemas are closed (no unknown fields)."""
    schema: dict[str, Any] = {"type": "object", "required": required, "properties": properties}
    if closed:
        schema["additionalProperties"] = False
    return schema


def list_of(item: dict[str, Any], key: str = "items") -> dict[str, Any]:
    return obj([key], {key: {"type": "array", "items": item}}, closed=False)


MEMBER: Final = obj(
    ["id", "email", "name", "role", "created_at"],
    {
        "id": {"type": "string"},
        "email": EMAIL,
        "name": {"type": "string"},
        "role": ROLE,
        "created_at": TIMESTAMP,
    },
    closed=False,
)
RETENTION_DAYS: Final[dict[str, Any]] = {
    "type": "integer",
    "minimum": MIN_RETENTION.days,
    "maximum": MAX_RETENTION.days,
}
WORKSPACE: Final = obj(
    ["id", "name", "created_at", "retention_days", "retention_bounds"],
    {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "created_at": TIMESTAMP,
        "retention_days": RETENTION_DAYS,
        "retention_bounds": obj(
            ["min", "max"], {"min": {"type": "integer"}, "max": {"type": "integer"}}, closed=False
        ),
    },
    closed=False,
)
INVITATION: Final = obj(
    ["id", "email", "role", "status", "created_at", "expires_at"],
    {
        "id": {"type": "string"},
        "email": EMAIL,
        "role": ROLE,
        "status": {"enum": ["pending", "accepted", "revoked", "expired"]},
        "invited_by": {"type": "string"},
        "created_at": TIMESTAMP,
        "expires_at": TIMESTAMP,
    },
    closed=False,
)
API_KEY: Final = obj(
    ["id", "name", "prefix", "scopes", "created_at", "last_used_at", "revoked"],
    {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "prefix": {"type": "string"},
        "scopes": {"type": "array", "items": ACTION},
        "created_at": TIMESTAMP,
        "last_used_at": NULLABLE_TIMESTAMP,
        "revoked": {"type": "boolean"},
    },
    closed=False,
)
