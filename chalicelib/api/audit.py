"""The audit log, for admins."""

from __future__ import annotations

from typing import Any

from chalicelib.api.routing import ApiBlueprint
from chalicelib.api.schemas import TIMESTAMP, obj
from chalicelib.bootstrap import services
from chalicelib.domain.audit import AuditAction
from chalicelib.domain.identity import Caller
from chalicelib.domain.permissions import Action

routes = ApiBlueprint(__name__, tag="audit")

ENTRY = obj(
    ["id", "action", "at", "actor_id", "target"],
    {
        "id": {"type": "string"},
        "action": {"enum": [action.value for action in AuditAction]},
        "at": TIMESTAMP,
        "actor_id": {"type": ["string", "null"]},
        "target": {"type": "string"},
        "ip": {"type": "string"},
        "user_agent": {"type": "string"},
        "details": {"type": "object"},
    },
    closed=False,
)
PAGE = obj(
    ["items", "cursor"],
    {"items": {"type": "array", "items": ENTRY}, "cursor": {"type": ["string", "null"]}},
    closed=False,
)


@routes.route(
    "/api/audit",
    "GET",
    summary="Audit entries, newest first, filtered by actor and action",
    response=PAGE,
    action=Action.AUDIT_READ,
    query={
        "actor": {"type": "string", "minLength": 1, "maxLength": 64},
        "action": {"enum": [action.value for action in AuditAction]},
        "limit": {"type": "integer", "minimum": 1, "maximum": 100},
        "cursor": {"type": "string", "minLength": 1, "maxLength": 2048},
    },
)
def list_audit(caller: Caller, query: dict[str, Any]) -> dict[str, Any]:
    page = services().audit.list(
        caller,
        actor_id=query.get("actor"),
        action=AuditAction(query["action"]) if "action" in query else None,
        limit=query.get("limit", 50),
        cursor=query.get("cursor"),
    )
    return {"items": [entry.as_json() for entry in page.items], "cursor": page.cursor}
