"""Every blueprint of the API, in one list that app.py registers and OpenAPI documents."""

from __future__ import annotations

from chalicelib.api import (
    account,
    api_keys,
    audit,
    auth,
    connections,
    docs,
    health,
    invitations,
    members,
    privacy,
    webhooks,
)
from chalicelib.api.routing import ApiBlueprint, Operation

BLUEPRINTS: tuple[ApiBlueprint, ...] = (
    health.routes,
    docs.routes,
    auth.routes,
    account.routes,
    members.routes,
    invitations.routes,
    api_keys.routes,
    audit.routes,
    connections.routes,
    privacy.routes,
    webhooks.routes,
)


def all_operations() -> list[Operation]:
    return [operation for blueprint in BLUEPRINTS for operation in blueprint.operations]
