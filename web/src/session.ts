// Who is signed in. The session itself is the HttpOnly cookie; this only remembers GET /api/me.
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, type Me, whenSessionEnds } from "./api";
import { navigate, type RouteState } from "./router";

/** undefined: not asked yet; null: signed out. */
type Known = Me | null | undefined;

let current: Known;
let loading: Promise<Known> | null = null;
const listeners = new Set<() => void>();

function set(next: Known): void {
  current = next;
  for (const listener of listeners) listener();
}

export function loadMe(): Promise<Known> {
  loading ??= api
    .get<Me>("/api/me", { expectUnauthorized: true })
    .then(
      (me) => me,
      (error: unknown) => {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      },
    )
    .then((me) => {
      set(me);
      return me;
    })
    .finally(() => {
      loading = null;
    });
  return loading;
}

export function forgetSession(): void {
  set(null);
}

export function useSession(): Known {
  const [, rerender] = useState(0);
  useEffect(() => {
    const update = () => rerender((n) => n + 1);
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return current;
}

export function can(me: Me | null | undefined, permission: string): boolean {
  return !!me && me.permissions.includes(permission);
}

/** Ends the session, then goes to a public page: the sign-in page unless told otherwise. */
export async function signOut(to = "/sign-in", state: RouteState = { notice: "You are signed out." }): Promise<void> {
  try {
    await api.post<void>("/api/auth/sign-out", undefined, { expectUnauthorized: true });
  } finally {
    set(null);
    navigate(to, { replace: true, state });
  }
}

whenSessionEnds(() => {
  if (!current) return;
  const next = window.location.pathname + window.location.search;
  set(null);
  navigate("/sign-in", { replace: true, state: { notice: "Your session has ended. Sign in again.", next } });
});
