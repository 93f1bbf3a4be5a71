"""The audit log, for admins."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Final

from chalice import Response

from chalicelib.api.representations import CSV, FORMAT_QUERY, csv_download, wants_csv
from chalicelib.api.routing import ApiBlueprint
from chalicelib.api.schemas import TIMESTAMP, obj
from chalicelib.bootstrap import services
from chalicelib.domain.audit import AuditAction, AuditEntry
from chalicelib.domain.identity import Caller
from chalicelib.domain.paging import every_item
from chalicelib.domain.permissions import Action

routes = ApiBlueprint(__name__, tag="audit")

DEFAULT_LIMIT: Final = 50
CSV_PAGE: Final = 100
CSV_COLUMNS: Final = ("id", "at", "action", "actor_id", "target", "ip", "user_agent", "details")

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
        "format": FORMAT_QUERY,
    },
    alternative_content_types=(CSV,),
    description="Defaults: limit=50. `?format=csv`: every entry matching the filters, newest first, "
    "without paging (`details` as a JSON object in one column).",
)
def list_audit(caller: Caller, query: dict[str, Any]) -> dict[str, Any] | Response:
    audit = services().audit
    actor_id = query.get("actor")
    action = AuditAction(query["action"]) if "action" in query else None
    if wants_csv(query):
        every = every_item(
            lambda cursor: audit.list(caller, actor_id=actor_id, action=action, limit=CSV_PAGE, cursor=cursor)
        )
        rows: list[tuple[Any, ...]] = [CSV_COLUMNS, *(_csv_row(entry) for entry in every)]
        return csv_download(rows, "audit", caller.workspace_id, datetime.now(UTC).date())
    page = audit.list(
        caller,
        actor_id=actor_id,
        action=action,
        limit=query.get("limit", DEFAULT_LIMIT),
        cursor=query.get("cursor"),
    )
    return {"items": [entry.as_json() for entry in page.items], "cursor": page.cursor}


def _csv_row(entry: AuditEntry) -> tuple[Any, ...]:
    shaped = entry.as_json()
    shaped["details"] = json.dumps(entry.details, sort_keys=True, ensure_ascii=False)
    return tuple(shaped[column] for column in CSV_COLUMNS)
