"""Deletion and export on request, and the public status of a deletion."""

from __future__ import annotations

import html
from typing import Any, Final

from chalice import Response

from chalicelib.api.pages import html_page, human_time
from chalicelib.api.routing import ApiBlueprint
from chalicelib.api.schemas import NULLABLE_TIMESTAMP, TIMESTAMP, list_of, obj
from chalicelib.bootstrap import services
from chalicelib.domain.errors import NotFoundError
from chalicelib.domain.identity import Caller
from chalicelib.domain.permissions import Action
from chalicelib.domain.privacy import DeletionRequest, DeletionStatus

routes = ApiBlueprint(__name__, tag="privacy")

MEMBER_ID: Final = {"type": "string", "minLength": 1, "maxLength": 64}
DELETION_STATUS: Final = obj(
    ["confirmation_code", "status", "requested_at", "completed_at"],
    {
        "confirmation_code": {"type": "string"},
        "status": {"enum": ["pending", "completed"]},
        "requested_at": TIMESTAMP,
        "completed_at": NULLABLE_TIMESTAMP,
    },
)
DELETION_CREATED: Final = obj(
    ["confirmation_code", "status", "url"],
    {**DELETION_STATUS["properties"], "url": {"type": "string"}},
    closed=False,
)
EXPORT: Final = obj(
    ["id", "status", "requested_at", "completed_at", "download_url"],
    {
        "id": {"type": "string"},
        "status": {"enum": ["pending", "ready"]},
        "requested_at": TIMESTAMP,
        "completed_at": NULLABLE_TIMESTAMP,
        "download_url": {"type": ["string", "null"]},
    },
)


# One page for every code that finds nothing, so the page never tells codes apart.
UNKNOWN_CODE_PAGE: Final = (
    "<h1>No such deletion request</h1><p role='alert' data-status='unknown'>There is no deletion "
    "request with this confirmation code. Check that the code is complete; a completed request is "
    "shown here for 90 days after it was completed.</p>"
)


@routes.route(
    "/api/privacy/deletions",
    "POST",
    summary="Delete creator data (the accounts a member connected) or a whole member account",
    body=obj(["scope"], {"scope": {"enum": ["account", "creator_data"]}, "member_id": MEMBER_ID}),
    response=DELETION_CREATED,
    status=202,
    action=Action.PRIVACY_SELF,
    errors=(403, 404, 409),
    description=(
        "`creator_data`: tokens (revoked at the platform), snapshots, posts, media, demographics and "
        "alerts of every account the member connected. `account`: that and the member's account. "
        "`member_id` (admins only) acts for another member of the workspace."
    ),
)
def request_deletion(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    privacy = services().privacy
    request = privacy.request_deletion(caller, body["scope"], body.get("member_id"))
    return {**request.public_json(), "url": privacy.status_url(request.code)}


@routes.route(
    "/api/privacy/deletions/{confirmation_code}",
    "GET",
    summary="Public status of a deletion request: pending or completed, with dates",
    response=DELETION_STATUS,
    errors=(404,),
)
def deletion_status(confirmation_code: str) -> dict[str, Any]:
    return services().privacy.deletion_status(confirmation_code).public_json()


@routes.route(
    "/api/privacy/deletion-status/{confirmation_code}",
    "GET",
    summary="The deletion status page for people: pending or completed, with dates",
    response={"type": "string"},
    response_content_type="text/html",
    errors=(404,),
    description=(
        "Public, server-rendered, no script. The `url` of a data-deletion answer (Meta, Threads) and "
        "of a deletion request points here. An unknown, malformed or expired code gets one 404 page."
    ),
)
def deletion_status_page(confirmation_code: str) -> Response:
    try:
        request = services().privacy.deletion_status(confirmation_code)
    except NotFoundError:
        return html_page(404, "No such deletion request — CreatorDeck", UNKNOWN_CODE_PAGE)
    return html_page(200, "Data deletion status — CreatorDeck", _status_body(request))


def _status_body(request: DeletionRequest) -> str:
    """Status and dates only: nothing about whom or what the request concerns."""
    code = html.escape(request.code)
    rows = [("Confirmation code", f"<code>{code}</code>"), ("Requested", human_time(request.requested_at))]
    if request.status is DeletionStatus.COMPLETED and request.completed_at is not None:
        heading, status = "Your data has been deleted", "Completed"
        rows.append(("Completed", human_time(request.completed_at)))
        note = "Everything this request covered has been deleted from CreatorDeck."
    else:
        heading, status = "Your data is being deleted", "Pending"
        if request.due_at > request.requested_at:
            rows.append(("Scheduled for", human_time(request.due_at)))
            note = "The deletion will run on the date above, without you doing anything else."
        else:
            note = "The deletion has started and normally completes within minutes."
    items = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows)
    return (
        f"<h1>{heading}</h1><p role='status' data-status='{request.status.value}'>Status: {status}</p>"
        f"<dl>{items}</dl><p>{note}</p>"
    )


@routes.route(
    "/api/privacy/exports",
    "POST",
    summary="Export everything held about a member, as a ZIP of JSON files built in the background",
    body=obj([], {"member_id": MEMBER_ID}),
    response=EXPORT,
    status=202,
    action=Action.PRIVACY_SELF,
    errors=(403, 404),
)
def request_export(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    return services().privacy.request_export(caller, body.get("member_id")).as_json()


@routes.route(
    "/api/privacy/exports",
    "GET",
    summary="A member's latest exports, newest first (at most 10), each with a link once ready",
    response=list_of(EXPORT),
    action=Action.PRIVACY_SELF,
    query={"member_id": MEMBER_ID},
    errors=(404,),
    description=(
        "The caller's own exports; `member_id` (admins only) lists another member's of the workspace. "
        "Each is as `GET /api/privacy/exports/{export_id}` answers it: a ready one carries a fresh "
        "download link valid for one hour, a pending one none. Expired exports are not listed."
    ),
)
def list_exports(caller: Caller, query: dict[str, Any]) -> dict[str, Any]:
    exports = services().privacy.recent_exports(caller, query.get("member_id"))
    return {"items": [export.as_json(link) for export, link in exports]}


@routes.route(
    "/api/privacy/exports/{export_id}",
    "GET",
    summary="An export's status and, once ready, a download link valid for one hour",
    response=EXPORT,
    action=Action.PRIVACY_SELF,
    errors=(404,),
)
def get_export(caller: Caller, export_id: str) -> dict[str, Any]:
    export, link = services().privacy.export(caller, export_id)
    return export.as_json(link)
