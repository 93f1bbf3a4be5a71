"""Seeds the local stack: a workspace and an admin who can sign in at once."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.bootstrap import build_services
from chalicelib.domain.identity import Origin
from chalicelib.security.secret import Secret
from chalicelib.settings import Settings
from devstack.config import SEED_ADMIN_EMAIL, SEED_ADMIN_NAME, SEED_ADMIN_PASSWORD, SEED_WORKSPACE


@dataclass(frozen=True)
class SeededAdmin:
    workspace_id: str
    email: str
    password: Secret


def seed(settings: Settings) -> SeededAdmin:
    """Creates the demo workspace through the same service the operator command uses."""
    services = build_services(settings)
    workspace, issued = services.workspaces.create_workspace(SEED_WORKSPACE, SEED_ADMIN_EMAIL)
    token = issued.link.reveal().split("#token=", 1)[1]
    services.workspaces.accept_invitation(token, SEED_ADMIN_NAME, SEED_ADMIN_PASSWORD, Origin(ip="127.0.0.1"))
    return SeededAdmin(workspace.id, SEED_ADMIN_EMAIL, Secret(SEED_ADMIN_PASSWORD))
