// Words for the API's codes. Unknown codes are shown as they are.
import auditActions from "./audit-actions.json";
import type { Role } from "./api";

export const ROLES: Role[] = ["admin", "manager", "analyst", "viewer", "creator"];

export const ROLE_LABELS: Record<Role, string> = {
  admin: "Admin",
  manager: "Manager",
  analyst: "Analyst",
  viewer: "Viewer",
  creator: "Creator",
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  admin: "everything, including roles, the audit log and workspace settings",
  manager: "invites analysts, viewers and creators; manages connections",
  analyst: "sees the team and connected accounts",
  viewer: "sees the team and connected accounts",
  creator: "connects and manages their own accounts",
};

/** Who may invite (or give) which role; mirrors the API's rule, which has the last word. */
export const GRANTABLE: Partial<Record<Role, Role[]>> = {
  admin: ROLES,
  manager: ["analyst", "viewer", "creator"],
};

export const PERMISSION_LABELS: Record<string, string> = {
  "workspace.read": "Read the workspace",
  "workspace.update": "Change workspace settings",
  "members.list": "List members",
  "members.invite": "Invite members",
  "members.change_role": "Change members' roles",
  "members.remove": "Remove members",
  "invitations.list": "List invitations",
  "invitations.revoke": "Revoke invitations",
  "account.self": "Own account",
  "api_keys.manage": "Manage own API keys",
  "audit.read": "Read the audit log",
  "connections.read": "Read connected accounts",
  "connections.manage": "Connect and disconnect accounts",
};

export const AUDIT_ACTIONS: Record<string, string> = auditActions;

export function roleLabel(role: string): string {
  return ROLE_LABELS[role as Role] ?? role;
}

export function permissionLabel(code: string): string {
  return PERMISSION_LABELS[code] ?? code;
}

export function auditLabel(code: string): string {
  return AUDIT_ACTIONS[code] ?? code;
}
