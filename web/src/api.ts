// The one way the app talks to the API: same origin, the HttpOnly session cookie, JSON in and out.
// Errors always arrive as {"error": {"code", "message", "details", "request_id"}}; ApiError carries them.

export type Role = "admin" | "manager" | "analyst" | "viewer" | "creator";

export interface Member {
  id: string;
  email: string;
  name: string;
  role: Role;
  created_at: string;
}

export interface Workspace {
  id: string;
  name: string;
  created_at: string;
}

export interface Me {
  member: Member;
  workspace: Workspace;
  permissions: string[];
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  status: "pending" | "accepted" | "revoked" | "expired";
  invited_by?: string;
  created_at: string;
  expires_at: string;
}

export interface InvitationPreview {
  workspace_name: string;
  email: string;
  role: Role;
  expires_at: string;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: string;
  last_used_at: string | null;
  revoked: boolean;
}

export interface AuditEntry {
  id: string;
  action: string;
  at: string;
  actor_id: string | null;
  target: string;
  ip?: string;
  user_agent?: string;
  details?: Record<string, unknown>;
}

export interface Page<T> {
  items: T[];
  cursor: string | null;
}

export interface ErrorDetail {
  field?: string;
  problem?: string;
  [key: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

interface CallOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** A 401 here is an expected answer (sign-in, the session probe), not a session that ended. */
  expectUnauthorized?: boolean;
}

let onSessionEnded: () => void = () => undefined;

/** The session module registers what to do when a signed-in call comes back 401. */
export function whenSessionEnds(handler: () => void): void {
  onSessionEnded = handler;
}

export async function call<T>(method: Method, path: string, options: CallOptions = {}): Promise<T> {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined && value !== "") url.searchParams.set(name, String(value));
  }
  const headers: Record<string, string> = { Accept: "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(url.pathname + url.search, {
      method,
      headers,
      credentials: "same-origin",
      cache: "no-store",
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, "network", "Could not reach CreatorDeck. Check your connection and try again.", null);
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let payload: unknown = null;
  try {
    payload = text ? JSON.parse(text) : null;
  } catch {
    payload = null;
  }
  if (response.ok) return payload as T;
  const error = toApiError(response, payload);
  if (response.status === 401 && !options.expectUnauthorized) onSessionEnded();
  throw error;
}

function toApiError(response: Response, payload: unknown): ApiError {
  const headerId = response.headers.get("X-Request-Id");
  const body = (payload as { error?: Record<string, unknown> } | null)?.error;
  if (body && typeof body.message === "string") {
    return new ApiError(
      response.status,
      typeof body.code === "string" ? body.code : `http_${response.status}`,
      body.message,
      typeof body.request_id === "string" ? body.request_id : headerId,
      Array.isArray(body.details) ? (body.details as ErrorDetail[]) : [],
    );
  }
  return new ApiError(
    response.status,
    `http_${response.status}`,
    `CreatorDeck answered with an unexpected error (HTTP ${response.status}). Try again in a moment.`,
    headerId,
  );
}

export const api = {
  get: <T>(path: string, options?: CallOptions) => call<T>("GET", path, options),
  post: <T>(path: string, body?: unknown, options?: CallOptions) => call<T>("POST", path, { ...options, body }),
  put: <T>(path: string, body?: unknown) => call<T>("PUT", path, { body }),
  patch: <T>(path: string, body?: unknown) => call<T>("PATCH", path, { body }),
  delete: <T>(path: string) => call<T>("DELETE", path),
};
