// Client-side routing on the History API. The front serves index.html for every unknown path.
import { useEffect, useState } from "preact/hooks";
import type { DeletionReceipt } from "./privacy-api";

export interface Place {
  pathname: string;
  search: string;
  state: RouteState | null;
}

/** What one page hands the next (never secrets; never stored anywhere but history.state). */
export interface RouteState {
  notice?: string;
  next?: string;
  email?: string;
  /** A deletion's receipt: its code only shows the request's status and dates, on the public status page. */
  deletion?: DeletionReceipt;
}

const listeners = new Set<() => void>();

function here(): Place {
  return {
    pathname: window.location.pathname,
    search: window.location.search,
    state: (window.history.state as RouteState | null) ?? null,
  };
}

function notify(): void {
  for (const listener of listeners) listener();
}

window.addEventListener("popstate", notify);

export function navigate(to: string, options: { replace?: boolean; state?: RouteState } = {}): void {
  const method = options.replace ? "replaceState" : "pushState";
  window.history[method](options.state ?? null, "", to);
  notify();
}

/** Reads a link's #token=... and takes it out of the address bar, so it is not left in history. */
export function takeFragmentToken(): string | null {
  const params = new URLSearchParams(window.location.hash.slice(1));
  const token = params.get("token");
  if (window.location.hash) {
    window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
  }
  return token;
}

export function usePlace(): Place {
  const [place, setPlace] = useState(here);
  useEffect(() => {
    const update = () => setPlace(here());
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return place;
}

/** Same-origin links are routed in the page; modified clicks keep the browser's behaviour. */
export function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element | null)?.closest?.("a");
  if (!anchor || anchor.target || anchor.hasAttribute("download")) return;
  const url = new URL(anchor.href, window.location.href);
  if (url.origin !== window.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/_dev/")) return;
  event.preventDefault();
  if (url.pathname + url.search !== window.location.pathname + window.location.search) {
    navigate(url.pathname + url.search + url.hash);
  }
}
