"""Who may do what: one table from role to allowed actions. Every route declares its action."""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    ANALYST = "analyst"
    VIEWER = "viewer"
    CREATOR = "creator"


class Action(StrEnum):
    WORKSPACE_READ = "workspace.read"
    WORKSPACE_UPDATE = "workspace.update"
    WORKSPACE_CLOSE = "workspace.close"  # admins only: sign everyone out, delete everything in 30 days
    MEMBERS_LIST = "members.list"
    MEMBERS_INVITE = "members.invite"
    MEMBERS_CHANGE_ROLE = "members.change_role"
    MEMBERS_REMOVE = "members.remove"
    INVITATIONS_LIST = "invitations.list"
    INVITATIONS_REVOKE = "invitations.revoke"
    ACCOUNT_SELF = "account.self"  # one's own profile, password, sessions
    API_KEYS_MANAGE = "api_keys.manage"  # one's own keys
    AUDIT_READ = "audit.read"
    CONNECTIONS_READ = "connections.read"
    CONNECTIONS_MANAGE = "connections.manage"  # connect, reconnect, disconnect (creators: their own)
    PRIVACY_SELF = "privacy.self"  # delete or export one's own data and account
    PRIVACY_MANAGE = "privacy.manage"  # act on deletion and export for members of the workspace


_EVERYONE: Final = frozenset(
    {Action.WORKSPACE_READ, Action.ACCOUNT_SELF, Action.API_KEYS_MANAGE, Action.PRIVACY_SELF}
)

ROLE_ACTIONS: Final[dict[Role, frozenset[Action]]] = {
    Role.ADMIN: frozenset(Action),
    Role.MANAGER: _EVERYONE
    | {
        Action.MEMBERS_LIST,
        Action.MEMBERS_INVITE,
        Action.INVITATIONS_LIST,
        Action.INVITATIONS_REVOKE,
        Action.CONNECTIONS_READ,
        Action.CONNECTIONS_MANAGE,
    },
    Role.ANALYST: _EVERYONE | {Action.MEMBERS_LIST, Action.CONNECTIONS_READ},
    Role.VIEWER: _EVERYONE | {Action.MEMBERS_LIST, Action.CONNECTIONS_READ},
    # A creator sees and manages only the connections they made (enforced by the connections service).
    Role.CREATOR: _EVERYONE | {Action.CONNECTIONS_READ, Action.CONNECTIONS_MANAGE},
}

# Who may invite (or give) which role.
GRANTABLE_ROLES: Final[dict[Role, frozenset[Role]]] = {
    Role.ADMIN: frozenset(Role),
    Role.MANAGER: frozenset({Role.ANALYST, Role.VIEWER, Role.CREATOR}),
}


def allows(role: Role, action: Action) -> bool:
    return action in ROLE_ACTIONS[role]


def may_grant(granter: Role, role: Role) -> bool:
    return role in GRANTABLE_ROLES.get(granter, frozenset())
