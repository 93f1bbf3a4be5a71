// Pieces shared by the member's own data screen and the admin's "delete this member's data":
// what each deletion scope covers, the confirm step, the receipt with its live status, the 409 in words.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "./api";
import { type DeletionReceipt, type DeletionStatus, pollUntil, privacy, useCancellable } from "./privacy-api";
import { ErrorNote, TextField, When } from "./ui";

/** How long a receipt keeps asking whether its deletion completed (it normally takes seconds). */
const DELETION_WATCH_MS = 2 * 60 * 1000;

/** A heading at the level its place in the page needs. */
export function Heading(props: { level: 2 | 3 | 4; id: string; children: ComponentChildren }) {
  if (props.level === 4) return <h4 id={props.id}>{props.children}</h4>;
  if (props.level === 3) return <h3 id={props.id}>{props.children}</h3>;
  return <h2 id={props.id}>{props.children}</h2>;
}

/** Who a text speaks about: the signed-in member, or a member an admin acts for. */
export type Person = "you" | "they";

/** What `creator_data` deletes and what it leaves (chalicelib/services/erasure.py is the truth). */
export function CreatorDataExplained(props: { who: Person }) {
  const you = props.who === "you";
  return (
    <>
      <p>
        <strong>Deleted:</strong> for every account {you ? "you" : "they"} connected, its access tokens (revoked at the platform first), follower
        history, posts and their statistics, audience data, alerts and uploaded media. The accounts leave the dashboard for everyone in the
        workspace.
      </p>
      <p>
        <strong>Stays:</strong> {you ? "your" : "their"} CreatorDeck account, role, API keys and sign-in; accounts other members connected; audit
        log entries, which hold only ids and expire after one year. {you ? "You" : "They"} can connect accounts again later.
      </p>
    </>
  );
}

/** What `account` deletes, and what it means for the person. */
export function AccountExplained(props: { who: Person }) {
  const you = props.who === "you";
  return (
    <>
      <p>
        <strong>Deleted:</strong> everything {you ? "your" : "their"} connected accounts hold (as for creator data), plus {you ? "your" : "their"}{" "}
        name and email, sessions, API keys, password-reset links, invitations to {you ? "your" : "their"} address and data exports.
      </p>
      <p>
        <strong>What it means:</strong> {you ? "you are" : "they are"} signed out at once and cannot sign in again; to come back, an admin has to
        invite {you ? "you" : "them"} again. Audit log entries keep {you ? "your" : "their"} member id (never a name or email) until they expire
        after one year. This cannot be undone.
      </p>
    </>
  );
}

/**
 * The confirm step: the person types an email address (case and surrounding spaces do not matter).
 * The field takes focus when the step opens, and its hint says what is about to happen.
 */
export function ConfirmDeletion(props: {
  /** Unique on the page: names the field and the heading. */
  name: string;
  heading: string;
  level?: 2 | 3 | 4;
  /** Focus the field when the step opens (false: the caller moves focus, e.g. to choices above it). */
  autoFocus?: boolean;
  expected: string;
  /** "your email address", "their email address". */
  expectedLabel: string;
  submitText: string;
  busyText: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  children?: ComponentChildren;
}) {
  const [typed, setTyped] = useState("");
  const [mismatch, setMismatch] = useState(false);
  const fieldId = `field-${props.name}`;
  useEffect(() => {
    if (props.autoFocus !== false) document.getElementById(fieldId)?.focus();
  }, [fieldId]);
  const submit = (event: Event) => {
    event.preventDefault();
    if (props.busy) return;
    const same = typed.trim().toLowerCase() === props.expected.toLowerCase();
    setMismatch(!same);
    if (same) props.onConfirm();
  };
  return (
    <form class="confirm-step" onSubmit={submit} aria-labelledby={`${props.name}-heading`} noValidate>
      <Heading level={props.level ?? 3} id={`${props.name}-heading`}>
        {props.heading}
      </Heading>
      {props.children}
      {mismatch && (
        <div class="note error" role="alert">
          <p>
            That is not {props.expectedLabel}. Type <strong>{props.expected}</strong> to confirm.
          </p>
        </div>
      )}
      <TextField
        label={`Type ${props.expectedLabel}, ${props.expected}, to confirm`}
        name={props.name}
        type="email"
        autoComplete="off"
        hint="This cannot be undone."
        value={typed}
        onValue={setTyped}
      />
      <div class="inline">
        <button type="submit" class="danger" aria-disabled={props.busy ? "true" : undefined}>
          {props.busy ? props.busyText : props.submitText}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** A deletion's error in words: the last admin's 409 explained, anything else as the API put it. */
export function DeletionError(props: { error: unknown; workspace: string }) {
  const { error } = props;
  if (error instanceof ApiError && error.code === "last_admin") {
    return (
      <div class="note error" role="alert">
        <p>
          <strong>You are the only admin of {props.workspace}, so your account was not deleted.</strong> A workspace always needs an admin. Make
          another member an admin on <a href="/team">Team &amp; roles</a> first, then delete your account. To end the whole workspace instead,
          close it in <a href="/settings">Settings</a>.
        </p>
        {error.requestId && (
          <p class="request-id">
            Request id: <code>{error.requestId}</code>
          </p>
        )}
      </div>
    );
  }
  return <ErrorNote error={error} />;
}

const STATUS_WORDS: Record<DeletionStatus["status"], string> = { pending: "Pending", completed: "Completed" };

/**
 * What a deletion request answered: its confirmation code and the public status page, with the status
 * kept current while the receipt is on screen (asked for at most two minutes, then left to the page).
 */
export function DeletionReceiptPanel(props: {
  receipt: DeletionReceipt;
  heading: string;
  level?: 2 | 3 | 4;
  /** Move focus here when shown (not when the page's heading already takes it). */
  focus?: boolean;
  onCompleted?: () => void;
  children?: ComponentChildren;
}) {
  const { receipt } = props;
  const [status, setStatus] = useState<DeletionStatus>(receipt);
  const [watch, setWatch] = useState<"watching" | "stopped" | "failed">("watching");
  const panel = useRef<HTMLElement>(null);
  const fresh = useCancellable();
  const completed = useRef(props.onCompleted);
  completed.current = props.onCompleted;
  useEffect(() => {
    if (props.focus) panel.current?.focus();
  }, []);
  useEffect(() => {
    if (receipt.status === "completed") {
      completed.current?.();
      return;
    }
    const signal = fresh();
    pollUntil(() => privacy.deletionStatus(receipt.confirmation_code), (s) => s.status === "completed", setStatus, {
      signal,
      limitMs: DELETION_WATCH_MS,
    }).then(
      (outcome) => {
        if (outcome === "done") completed.current?.();
        if (outcome !== "aborted") setWatch("stopped");
      },
      () => {
        if (!signal.aborted) setWatch("failed");
      },
    );
  }, [receipt.confirmation_code]);
  const id = `receipt-${receipt.confirmation_code}`;
  return (
    <section class="card receipt" ref={panel} tabIndex={-1} aria-labelledby={id}>
      <Heading level={props.level ?? 2} id={id}>
        {props.heading}
      </Heading>
      {props.children}
      <dl class="facts">
        <dt>Confirmation code</dt>
        <dd>
          <code>{receipt.confirmation_code}</code>
        </dd>
        <dt>Status</dt>
        <dd>
          <span role="status">
            <span class={`status status-${status.status}`}>{STATUS_WORDS[status.status]}</span>
            {status.status === "pending" && watch === "watching" && <span class="muted"> (checking…)</span>}
          </span>
        </dd>
        <dt>Requested</dt>
        <dd>
          <When at={status.requested_at} />
        </dd>
        {status.completed_at && (
          <>
            <dt>Completed</dt>
            <dd>
              <When at={status.completed_at} />
            </dd>
          </>
        )}
      </dl>
      {status.status === "pending" && watch !== "watching" && (
        <p class="hint">
          {watch === "failed" ? "The status could not be checked from here just now." : "This is taking longer than usual."} The status page shows
          when it completes.
        </p>
      )}
      <p>
        <a href={receipt.url}>Open the deletion status page</a>: anyone with the code can see there whether the deletion is pending or completed,
        and nothing else. Keep the code: it identifies this deletion if you contact the operator.
      </p>
    </section>
  );
}
