"""The workspace and its members."""

from __future__ import annotations

from typing import Any

from chalicelib.api.routing import ApiBlueprint
from chalicelib.api.schemas import MEMBER, NAME, RETENTION_DAYS, ROLE, WORKSPACE, list_of, obj
from chalicelib.bootstrap import services
from chalicelib.domain.identity import Caller
from chalicelib.domain.permissions import Action, Role

routes = ApiBlueprint(__name__, tag="team")


@routes.route(
    "/api/workspace", "GET", summary="This workspace", response=WORKSPACE, action=Action.WORKSPACE_READ
)
def get_workspace(caller: Caller) -> dict[str, Any]:
    return services().workspaces.workspace(caller).as_json()


@routes.route(
    "/api/workspace",
    "PATCH",
    summary="Rename this workspace or change how long its data is kept",
    description=(
        "`retention_days` (30 to 1095) sets how long snapshots and posts are kept; it applies to "
        "readings written from then on."
    ),
    body={
        **obj([], {"name": NAME, "retention_days": RETENTION_DAYS}),
        "minProperties": 1,
    },
    response=WORKSPACE,
    action=Action.WORKSPACE_UPDATE,
)
def update_workspace(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    workspace = services().workspace_settings.update_workspace(
        caller, name=body.get("name"), retention_days=body.get("retention_days")
    )
    return workspace.as_json()


@routes.route(
    "/api/members",
    "GET",
    summary="Members of this workspace",
    response=list_of(MEMBER),
    action=Action.MEMBERS_LIST,
)
def list_members(caller: Caller) -> dict[str, Any]:
    return {"items": [member.as_json() for member in services().workspaces.list_members(caller)]}


@routes.route(
    "/api/members/{member_id}",
    "PATCH",
    summary="Change a member's role",
    body=obj(["role"], {"role": ROLE}),
    response=MEMBER,
    action=Action.MEMBERS_CHANGE_ROLE,
    errors=(404, 409),
)
def change_role(caller: Caller, member_id: str, body: dict[str, Any]) -> dict[str, Any]:
    return services().workspaces.change_role(caller, member_id, Role(body["role"])).as_json()


@routes.route(
    "/api/members/{member_id}",
    "DELETE",
    summary="Remove a member (signs them out everywhere, revokes their API keys)",
    response=None,
    status=204,
    action=Action.MEMBERS_REMOVE,
    errors=(404, 409),
)
def remove_member(caller: Caller, member_id: str) -> None:
    services().workspaces.remove_member(caller, member_id)
