"""The signed-in member: who am I, what may I do, change my password."""

from __future__ import annotations

from typing import Any

from chalicelib.api.routing import ApiBlueprint
from chalicelib.api.schemas import ACTION, MEMBER, PASSWORD, WORKSPACE, obj
from chalicelib.bootstrap import services
from chalicelib.domain.identity import Caller
from chalicelib.domain.permissions import Action

routes = ApiBlueprint(__name__, tag="account")

ME = obj(
    ["member", "workspace", "permissions"],
    {"member": MEMBER, "workspace": WORKSPACE, "permissions": {"type": "array", "items": ACTION}},
    closed=False,
)


@routes.route(
    "/api/me",
    "GET",
    summary="The signed-in member, workspace and permissions",
    response=ME,
    action=Action.ACCOUNT_SELF,
)
def me(caller: Caller) -> dict[str, Any]:
    return {
        "member": caller.member.as_json(),
        "workspace": services().workspaces.workspace(caller).as_json(),
        "permissions": sorted(action.value for action in caller.actions),
    }


@routes.route(
    "/api/me/password",
    "POST",
    summary="Change my password",
    body=obj(
        ["current_password", "new_password"],
        {
            "current_password": {"type": "string", "minLength": 1, "maxLength": 256},
            "new_password": PASSWORD,
        },
    ),
    response=None,
    status=204,
    action=Action.ACCOUNT_SELF,
)
def change_password(caller: Caller, body: dict[str, Any]) -> None:
    services().auth.change_password(caller, body["current_password"], body["new_password"])
