"""Invitations: the only way in. Tokens travel in bodies, never in URLs."""

from __future__ import annotations

from typing import Any

from chalicelib.api.principal import origin_of
from chalicelib.api.routing import ApiBlueprint
from chalicelib.api.schemas import (
    EMAIL,
    INVITATION,
    MEMBER,
    NAME,
    PASSWORD,
    ROLE,
    TIMESTAMP,
    TOKEN,
    list_of,
    obj,
)
from chalicelib.bootstrap import services
from chalicelib.domain.identity import Caller
from chalicelib.domain.permissions import Action, Role

routes = ApiBlueprint(__name__, tag="team")

PREVIEW = obj(
    ["workspace_name", "email", "role", "expires_at"],
    {"workspace_name": {"type": "string"}, "email": EMAIL, "role": ROLE, "expires_at": TIMESTAMP},
    closed=False,
)


@routes.route(
    "/api/invitations",
    "GET",
    summary="Invitations of this workspace",
    response=list_of(INVITATION),
    action=Action.INVITATIONS_LIST,
)
def list_invitations(caller: Caller) -> dict[str, Any]:
    return {"items": [i.as_json() for i in services().workspaces.list_invitations(caller)]}


@routes.route(
    "/api/invitations",
    "POST",
    summary="Invite someone by email (admins any role; managers analyst, viewer, creator)",
    body=obj(["email", "role"], {"email": EMAIL, "role": ROLE}),
    response=INVITATION,
    status=201,
    action=Action.MEMBERS_INVITE,
    errors=(409,),
)
def invite(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    return services().workspaces.invite(caller, body["email"], Role(body["role"])).as_json()


@routes.route(
    "/api/invitations/{invitation_id}",
    "DELETE",
    summary="Revoke a pending invitation",
    response=INVITATION,
    action=Action.INVITATIONS_REVOKE,
    errors=(404, 409),
)
def revoke_invitation(caller: Caller, invitation_id: str) -> dict[str, Any]:
    return services().workspaces.revoke_invitation(caller, invitation_id).as_json()


@routes.route(
    "/api/invitations/preview",
    "POST",
    summary="What an invitation link is for (before accepting it)",
    body=obj(["token"], {"token": TOKEN}),
    response=PREVIEW,
    errors=(404,),
)
def preview_invitation(body: dict[str, Any]) -> dict[str, Any]:
    preview = services().workspaces.preview_invitation(body["token"])
    return {
        "workspace_name": preview.workspace_name,
        "email": preview.email,
        "role": preview.role.value,
        "expires_at": preview.expires_at.isoformat(),
    }


@routes.route(
    "/api/invitations/accept",
    "POST",
    summary="Accept an invitation: choose a name and password",
    body=obj(["token", "name", "password"], {"token": TOKEN, "name": NAME, "password": PASSWORD}),
    response=MEMBER,
    status=201,
    errors=(404, 409),
)
def accept_invitation(body: dict[str, Any]) -> dict[str, Any]:
    member = services().workspaces.accept_invitation(
        body["token"], body["name"], body["password"], origin_of(routes.current_request)
    )
    return member.as_json()
