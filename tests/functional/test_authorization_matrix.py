"""Every route by every role, a member of another workspace, and no credentials.

The routes come from the app itself, so a new route is covered the day it is added.
For each: no credentials → 401 (public routes: never 403, nor 401 unless they check
credentials of their own, like sign-in); a role without the
route's action → 403; a role with it → neither; a member of another workspace, aimed
at this workspace's resources → 404, and never a byte of this workspace in return.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.api.registry import all_operations
from chalicelib.api.routing import Operation
from chalicelib.domain.permissions import Role, allows
from tests.functional.team import Persona, Team

ROLES = [role.value for role in Role]


def operations() -> list[Operation]:
    from app import app

    by_route = {(op.path, op.method): op for op in all_operations()}
    served = [(path, method) for path, methods in app.routes.items() for method in methods]
    assert set(served) == set(by_route), "every served route must be declared"
    return [by_route[route] for route in sorted(served)]


@pytest.fixture
def world(team: Team) -> dict[str, Any]:
    """Workspace A with one member per role and resources to aim at; workspace B with an admin."""
    admin = team.create_workspace("A")
    personas: dict[str, Persona] = {"admin": admin}
    for role in ROLES:
        if role != "admin":
            personas[role] = team.invite(admin, role)
    target = team.invite(admin, "viewer")
    pending = json.loads(
        team.post("/api/invitations", {"email": "p@example.com", "role": "viewer"}, admin.headers).body
    )
    key = json.loads(
        team.post("/api/api-keys", {"name": "a", "scopes": ["workspace.read"]}, admin.headers).body
    )
    outsider = team.create_workspace("B")
    ids = {"member_id": target.member_id, "invitation_id": pending["id"], "key_id": key["api_key"]["id"]}
    secrets_of_a = [admin.workspace_id, admin.email, target.member_id, pending["id"], key["api_key"]["id"]]
    return {
        "personas": personas,
        "outsider": outsider,
        "ids": ids,
        "secrets_of_a": secrets_of_a,
        "team": team,
    }


def example(schema: Any) -> Any:
    """A small valid instance of a request schema."""
    if "enum" in schema:
        return schema["enum"][-1]
    kind = schema.get("type")
    if kind == "object":
        return {name: example(schema["properties"][name]) for name in schema.get("required", [])}
    if kind == "array":
        return [example(schema["items"])] * schema.get("minItems", 0)
    if kind == "integer":
        return schema.get("minimum", 1)
    if kind == "boolean":
        return True
    if schema.get("format") == "email":
        return "someone@example.com"
    return "x" * max(schema.get("minLength", 1), 1)


def request(
    team: Team,
    operation: Operation,
    ids: dict[str, str],
    persona: Persona | None,
    *,
    valid_body: bool = False,
) -> Any:
    path = operation.path
    for name in operation.path_parameters:
        path = path.replace("{" + name + "}", ids.get(name, "unknown"))
    if persona is not None and operation.path == "/api/auth/sign-out":
        persona = team.sign_in(
            Persona(persona.email, persona.password, "", "", persona.role)
        )  # keep the shared one
    headers = persona.headers if persona else {"Content-Type": "application/json"}
    body = b""
    if operation.request_schema is not None:
        body = json.dumps(example(operation.request_schema)).encode() if valid_body else b"{}"
    return team.http.request(operation.method, path, headers=headers, body=body)


@pytest.mark.parametrize("operation", operations(), ids=lambda op: f"{op.method} {op.path}")
def test_authorization_matrix(world: dict[str, Any], operation: Operation) -> None:
    team: Team = world["team"]
    ids: dict[str, str] = world["ids"]

    anonymous = request(team, operation, ids, None)
    if operation.public:
        # Public routes need no credentials; sign-in and refresh answer 401 to bad ones they were sent.
        assert anonymous.status_code != 403
        assert anonymous.status_code != 401 or 401 in operation.errors
        return
    assert anonymous.status_code == 401, anonymous.body

    assert operation.action is not None
    for role, persona in world["personas"].items():
        response = request(team, operation, ids, persona)
        if allows(Role(role), operation.action):
            assert response.status_code not in (401, 403), (role, response.body)
        else:
            assert response.status_code == 403, (role, response.body)

    outsider: Persona = world["outsider"]
    response = request(team, operation, ids, outsider, valid_body=True)
    if operation.path_parameters:
        assert response.status_code == 404, response.body
    else:
        assert response.status_code not in (401, 403)
    text = response.body.decode() if response.body else ""
    for value in world["secrets_of_a"]:
        assert value not in text
