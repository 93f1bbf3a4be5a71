"""Closing the workspace: an admin's last act in it (its data is deleted 30 days later)."""

from __future__ import annotations

from typing import Any, Final

from chalice import Response

from chalicelib.api.principal import cleared_session_cookie
from chalicelib.api.routing import ApiBlueprint, json_response
from chalicelib.api.schemas import TIMESTAMP, obj
from chalicelib.bootstrap import services
from chalicelib.domain.identity import Caller
from chalicelib.domain.permissions import Action

routes = ApiBlueprint(__name__, tag="team")

CLOSED: Final = obj(
    ["status", "closed_at", "deletion_due_at", "confirmation_code", "status_url"],
    {
        "status": {"enum": ["closed"]},
        "closed_at": TIMESTAMP,
        "deletion_due_at": TIMESTAMP,
        "confirmation_code": {"type": "string", "pattern": "^[A-Z0-9]+$"},
        "status_url": {"type": "string"},
    },
)


@routes.route(
    "/api/workspace/close",
    "POST",
    summary="Close the workspace: everyone signed out now, all its data deleted 30 days later",
    body=obj(["confirm_name"], {"confirm_name": {"type": "string", "minLength": 1, "maxLength": 200}}),
    response=CLOSED,
    status=202,
    action=Action.WORKSPACE_CLOSE,
    errors=(400, 403, 409),
    description=(
        "`confirm_name` must be the workspace's name. At once: every member is signed out, API keys "
        "and pending invitations are revoked, every connection is revoked at its platform (tokens "
        "deleted, syncs stopped), and sign-ins and API keys of the workspace get `403 "
        "workspace_closed`. Members, connections, posts, snapshots, alerts, audit entries and media are "
        "deleted at `deletion_due_at`; `status_url` is the public status page of that deletion. Only "
        "from a signed-in session (`403 session_required` for an API key)."
    ),
)
def close_workspace(caller: Caller, body: dict[str, Any]) -> Response:
    receipt = services().workspace_closure.close(caller, body["confirm_name"])
    return json_response(receipt.as_json(), status=202, headers={"Set-Cookie": cleared_session_cookie()})
