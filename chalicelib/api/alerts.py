"""Alerts: the workspace's list (open or all, newest first) and acknowledging one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from chalice import Response

from chalicelib.api.dashboard_schemas import ALERT, ALERTS_PAGE
from chalicelib.api.representations import CSV, FORMAT_QUERY, csv_download, wants_csv
from chalicelib.api.routing import ApiBlueprint
from chalicelib.bootstrap import services
from chalicelib.domain.identity import Caller
from chalicelib.domain.paging import every_item
from chalicelib.domain.permissions import Action

routes = ApiBlueprint(__name__, tag="alerts")

DEFAULT_LIMIT: Final = 50
CSV_PAGE: Final = 100
CSV_COLUMNS: Final = (
    "id",
    "kind",
    "platform",
    "account_name",
    "post_id",
    "message",
    "created_at",
    "acknowledged_at",
)


@routes.route(
    "/api/alerts",
    "GET",
    summary="Alerts of the accounts the caller can see, newest first",
    response=ALERTS_PAGE,
    action=Action.CONNECTIONS_READ,
    query={
        "status": {"enum": ["open", "all"]},
        "limit": {"type": "integer", "minimum": 1, "maximum": 100},
        "cursor": {"type": "string", "minLength": 1, "maxLength": 2048},
        "format": FORMAT_QUERY,
    },
    alternative_content_types=(CSV,),
    description="Defaults: status=open, limit=50. A page may hold fewer than `limit` alerts; the list "
    "ends when `next_cursor` is null. `?format=csv`: every matching alert, without paging.",
)
def list_alerts(caller: Caller, query: dict[str, Any]) -> dict[str, Any] | Response:
    alerts = services().alerts
    open_only = query.get("status", "open") == "open"
    if wants_csv(query):
        every = every_item(
            lambda cursor: alerts.list(caller, open_only=open_only, limit=CSV_PAGE, cursor=cursor)
        )
        rows: list[Any] = [CSV_COLUMNS, *(tuple(alert.as_json()[c] for c in CSV_COLUMNS) for alert in every)]
        return csv_download(rows, "alerts", caller.workspace_id, datetime.now(UTC).date())
    page = alerts.list(
        caller, open_only=open_only, limit=query.get("limit", DEFAULT_LIMIT), cursor=query.get("cursor")
    )
    return {"items": [alert.as_json() for alert in page.items], "next_cursor": page.cursor}


@routes.route(
    "/api/alerts/{alert_id}/acknowledge",
    "POST",
    summary="Acknowledge an alert (acknowledging again keeps the first time)",
    response=ALERT,
    action=Action.CONNECTIONS_READ,
    errors=(404,),
)
def acknowledge_alert(caller: Caller, alert_id: str) -> dict[str, Any]:
    return services().alerts.acknowledge(caller, alert_id).as_json()
