// Small shared pieces: page frame with focus management, loading/error/notice states, form fields.
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "./api";

let firstPage = true;

/** A page's frame: sets the title and, after client-side navigation, moves focus to the heading. */
export function Page(props: { title: string; lede?: ComponentChildren; children?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${props.title} · CreatorDeck`;
    if (firstPage) {
      firstPage = false;
      return;
    }
    heading.current?.focus();
  }, [props.title]);
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        {props.title}
      </h1>
      {props.lede && <p class="lede">{props.lede}</p>}
      {props.children}
    </>
  );
}

export function Loading(props: { what: string }) {
  return (
    <p class="state" role="status">
      <span class="spinner" aria-hidden="true" /> Loading {props.what}…
    </p>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <p class="state empty">{props.children}</p>;
}

export function ErrorNote(props: { error: unknown; onRetry?: () => void }) {
  const error = props.error;
  const known = error instanceof ApiError ? error : null;
  const message = known ? known.message : "Something went wrong in the app. Reload the page and try again.";
  const fields = known?.details.filter((d) => d.field || d.problem) ?? [];
  return (
    <div class="note error" role="alert">
      <p>{message}</p>
      {fields.length > 0 && (
        <ul>
          {fields.map((d, i) => (
            <li key={i}>
              {d.field ? <strong>{d.field}</strong> : null} {d.problem ?? ""}
            </li>
          ))}
        </ul>
      )}
      {known?.requestId && (
        <p class="request-id">
          Request id: <code>{known.requestId}</code>
        </p>
      )}
      {props.onRetry && (
        <button type="button" class="secondary" onClick={props.onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Notice(props: { children: ComponentChildren }) {
  return (
    <div class="note success" role="status">
      {props.children}
    </div>
  );
}

/** Loads data for a screen and keeps its loading/error state. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const reload = useCallback(() => {
    const mine = ++generation.current;
    setLoading(true);
    setError(null);
    load().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setLoading(false);
      },
      (reason: unknown) => {
        if (mine !== generation.current) return;
        setError(reason);
        setLoading(false);
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(reload, [reload]);
  return { data, error, loading, reload };
}

/** Runs a form action: busy flag, error, and no double submits. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const running = useRef(false);
  const run = useCallback(async (action: () => Promise<void>) => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (reason) {
      setError(reason);
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}

interface InputProps {
  label: string;
  name: string;
  value: string;
  onValue: (value: string) => void;
  hint?: string;
  type?: "text" | "email" | "password";
  autoComplete?: string;
  required?: boolean;
  minLength?: number;
  maxLength?: number;
}

export function TextField({ label, name, value, onValue, hint, type, ...rest }: InputProps) {
  const id = `field-${name}`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        name={name}
        value={value}
        onInput={(e) => onValue((e.currentTarget as HTMLInputElement).value)}
        aria-describedby={hint ? `${id}-hint` : undefined}
        type={(type ?? "text") as "text"}
        autocomplete={rest.autoComplete}
        required={rest.required}
        minLength={rest.minLength}
        maxLength={rest.maxLength}
      />
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

export function SubmitButton(props: { busy: boolean; children: ComponentChildren; busyText?: string }) {
  return (
    <button type="submit" aria-disabled={props.busy ? "true" : undefined} class="primary">
      {props.busy ? (props.busyText ?? "Working…") : props.children}
    </button>
  );
}

export function When(props: { at: string | null | undefined; fallback?: string }) {
  if (!props.at) return <>{props.fallback ?? "—"}</>;
  const date = new Date(props.at);
  return <time dateTime={props.at}>{formatDate(date)}</time>;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function formatDate(date: Date): string {
  return Number.isNaN(date.getTime()) ? "—" : dateFormat.format(date);
}
