"""Every blueprint of the API, in one list that app.py registers and OpenAPI documents."""

from __future__ import annotations

from chalicelib.api import (
    account,
    alert_preferences,
    alerts,
    api_keys,
    audit,
    auth,
    connections,
    dashboard,
    docs,
    health,
    invitations,
    members,
    privacy,
    webhooks,
    workspace_closure,
)
from chalicelib.api.routing import ApiBlueprint, Operation

BLUEPRINTS: tuple[ApiBlueprint, ...] = (
    health.routes,
    docs.routes,
    auth.routes,
    account.routes,
    alert_preferences.routes,
    members.routes,
    invitations.routes,
    api_keys.routes,
    audit.routes,
    connections.routes,
    dashboard.routes,
    alerts.routes,
    privacy.routes,
    webhooks.routes,
    workspace_closure.routes,
)


def all_operations() -> list[Operation]:
    return [operation for blueprint in BLUEPRINTS for operation in blueprint.operations]
