// A member's own data: deletion and export requests (chalicelib/api/privacy.py), and waiting on them.
import { useCallback, useEffect, useRef } from "preact/hooks";
import { api } from "./api";

/** `creator_data`: the accounts a member connected; `account`: that and the member's account. */
export type DeletionScope = "creator_data" | "account";

export interface DeletionStatus {
  confirmation_code: string;
  status: "pending" | "completed";
  requested_at: string;
  completed_at: string | null;
}

export interface DeletionReceipt extends DeletionStatus {
  /** The public, server-rendered status page (same origin, no sign-in needed). */
  url: string;
}

export interface DataExport {
  id: string;
  status: "pending" | "ready";
  requested_at: string;
  completed_at: string | null;
  /** A presigned link, valid for EXPORT_LINK_LIFETIME_MS after the answer that carried it. */
  download_url: string | null;
}

/** EXPORT_LINK_LIFETIME in chalicelib/domain/privacy.py. */
export const EXPORT_LINK_LIFETIME_MS = 60 * 60 * 1000;

export const privacy = {
  /** Without `memberId`: the caller's own data. With it (privacy.manage): that member's. */
  requestDeletion: (scope: DeletionScope, memberId?: string) =>
    api.post<DeletionReceipt>("/api/privacy/deletions", memberId ? { scope, member_id: memberId } : { scope }),
  deletionStatus: (code: string) => api.get<DeletionStatus>(`/api/privacy/deletions/${encodeURIComponent(code)}`),
  requestExport: () => api.post<DataExport>("/api/privacy/exports", {}),
  exportStatus: (id: string) => api.get<DataExport>(`/api/privacy/exports/${encodeURIComponent(id)}`),
  /** The latest exports (at most 10, newest first), each as `exportStatus` answers it. */
  recentExports: (memberId?: string) =>
    api.get<{ items: DataExport[] }>(memberId ? `/api/privacy/exports?member_id=${encodeURIComponent(memberId)}` : "/api/privacy/exports"),
};

export type PollOutcome = "done" | "timeout" | "aborted";

/** How long to wait before asking again: 1 s, then a second more each time, at most 5 s. */
export function pollDelay(attempt: number): number {
  return Math.min(1000 * (attempt + 1), 5000);
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", finish);
      resolve();
    };
    const timer = setTimeout(finish, ms);
    signal.addEventListener("abort", finish, { once: true });
  });
}

/**
 * Asks until `done` holds, `limitMs` has passed or the signal aborts (the screen was left).
 * Each answer goes to `onValue` first, unless aborted meanwhile; a failed ask rejects.
 */
export async function pollUntil<T>(
  ask: () => Promise<T>,
  done: (value: T) => boolean,
  onValue: (value: T) => void,
  options: { signal: AbortSignal; limitMs: number },
): Promise<PollOutcome> {
  const { signal, limitMs } = options;
  const deadline = Date.now() + limitMs;
  for (let attempt = 0; ; attempt++) {
    await pause(pollDelay(attempt), signal);
    if (signal.aborted) return "aborted";
    const value = await ask();
    if (signal.aborted) return "aborted";
    onValue(value);
    if (done(value)) return "done";
    if (Date.now() >= deadline) return "timeout";
  }
}

/**
 * A fresh AbortSignal per wait; starting another wait or leaving the screen aborts the previous one.
 * Once the screen is gone, every new signal is born aborted (an answer that arrives late starts nothing).
 */
export function useCancellable(): () => AbortSignal {
  const current = useRef<AbortController | null>(null);
  const gone = useRef(false);
  useEffect(
    () => () => {
      gone.current = true;
      current.current?.abort();
    },
    [],
  );
  return useCallback(() => {
    current.current?.abort();
    const controller = new AbortController();
    if (gone.current) controller.abort();
    current.current = controller;
    return controller.signal;
  }, []);
}
