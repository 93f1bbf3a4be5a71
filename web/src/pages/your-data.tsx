// The member's own data, on the Account screen: export it, delete the creator data, delete the account.
// And the public page a member lands on after deleting their account.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type Me } from "../api";
import type { Connection } from "../dashboard-api";
import { platformName, STATUS_LABEL } from "../format";
import { type DeletionReceipt, EXPORT_LINK_LIFETIME_MS, pollUntil, privacy, useCancellable } from "../privacy-api";
import { AccountExplained, ConfirmDeletion, CreatorDataExplained, DeletionError, DeletionReceiptPanel } from "../privacy-ui";
import type { Place } from "../router";
import { can, signOut } from "../session";
import { ErrorNote, Loading, Page, useAction, useLoad, When } from "../ui";

/** How long the screen waits for an export before offering to check again (one normally takes seconds). */
const EXPORT_WATCH_MS = 3 * 60 * 1000;

export function YourData(props: { me: Me }) {
  return (
    <section aria-labelledby="data-heading">
      <h2 id="data-heading">Your data</h2>
      <p class="hint">
        Download what CreatorDeck holds about you, or have it deleted. The <a href="/privacy">privacy policy</a> says how long each kind of data is
        kept.
      </p>
      <ExportData />
      <DeleteCreatorData me={props.me} />
      <DeleteAccount me={props.me} />
    </section>
  );
}

type ExportView =
  | { step: "loading" }
  | { step: "idle" }
  | { step: "starting" }
  | { step: "building"; exportId: string }
  | { step: "slow"; exportId: string }
  | { step: "ready"; url: string; expiresAt: number }
  | { step: "expired"; expiredAt: number };

function at(ms: number): string {
  return new Date(ms).toISOString();
}

function ExportData() {
  const [view, setView] = useState<ExportView>({ step: "loading" });
  const [failure, setFailure] = useState<{ error: unknown; retry: () => void } | null>(null);
  const fresh = useCancellable();

  const follow = async (exportId: string) => {
    const signal = fresh();
    setFailure(null);
    setView({ step: "building", exportId });
    let askedAt = Date.now();
    const ask = () => {
      askedAt = Date.now();
      return privacy.exportStatus(exportId);
    };
    try {
      const outcome = await pollUntil(
        ask,
        (found) => found.status === "ready" && !!found.download_url,
        (found) => {
          // The link's hour starts when the API signs it, just after it was asked for.
          if (found.status === "ready" && found.download_url) {
            setView({ step: "ready", url: found.download_url, expiresAt: askedAt + EXPORT_LINK_LIFETIME_MS });
          }
        },
        { signal, limitMs: EXPORT_WATCH_MS },
      );
      if (outcome === "timeout") setView({ step: "slow", exportId });
    } catch (error) {
      if (signal.aborted) return;
      setView({ step: "slow", exportId });
      setFailure({ error, retry: () => void follow(exportId) });
    }
  };

  // On opening the screen: pick up the latest export, so leaving the page while it is built loses nothing.
  const resume = async () => {
    const signal = fresh();
    setFailure(null);
    setView({ step: "loading" });
    try {
      const askedAt = Date.now();
      const latest = (await privacy.recentExports()).items[0];
      if (signal.aborted) return;
      if (latest?.status === "pending") {
        void follow(latest.id);
      } else if (latest?.status === "ready" && latest.download_url) {
        // Each answer signs a fresh link, valid for an hour from then.
        setView({ step: "ready", url: latest.download_url, expiresAt: askedAt + EXPORT_LINK_LIFETIME_MS });
      } else {
        setView({ step: "idle" });
      }
    } catch (error) {
      if (signal.aborted) return;
      setView({ step: "idle" });
      setFailure({ error, retry: () => void resume() });
    }
  };

  useEffect(() => {
    void resume();
  }, []);

  const start = async () => {
    if (view.step === "loading" || view.step === "starting" || view.step === "building") return;
    setFailure(null);
    setView({ step: "starting" });
    try {
      const created = await privacy.requestExport();
      await follow(created.id);
    } catch (error) {
      setView({ step: "idle" });
      setFailure({ error, retry: () => void start() });
    }
  };

  useEffect(() => {
    if (view.step !== "ready") return;
    const timer = setTimeout(() => setView({ step: "expired", expiredAt: view.expiresAt }), Math.max(0, view.expiresAt - Date.now()));
    return () => clearTimeout(timer);
  }, [view]);

  return (
    <div class="card" aria-labelledby="export-heading" role="group">
      <h3 id="export-heading">Export your data</h3>
      <p>
        A ZIP of JSON files: your profile, the accounts you connected (never their access tokens) with their follower history, posts and alerts,
        and the audit log entries about you. Building it usually takes less than a minute; the download link appears here, also if you leave this page
        and come back within a day.
      </p>
      {failure && <ErrorNote error={failure.error} onRetry={failure.retry} />}
      {view.step === "loading" && <Loading what="your latest export" />}
      {view.step === "idle" && (
        <button type="button" class="primary" onClick={() => void start()}>
          Export my data
        </button>
      )}
      {(view.step === "starting" || view.step === "building") && (
        <p class="state" role="status">
          <span class="spinner" aria-hidden="true" /> {view.step === "starting" ? "Asking for your export…" : "Building your export…"}
        </p>
      )}
      {view.step === "slow" && (
        <div class="note warn" role="status">
          <p>{failure ? "The export's progress could not be checked." : "Your export is taking longer than usual."}</p>
          {!failure && (
            <button type="button" class="secondary" onClick={() => void follow(view.exportId)}>
              Check again
            </button>
          )}
        </div>
      )}
      {view.step === "ready" && (
        <div class="note success" role="status">
          <p>
            <strong>Your export is ready.</strong>
          </p>
          <p>
            <a href={view.url} download>
              Download your data (ZIP)
            </a>
          </p>
          <p class="hint">
            The link works for one hour, until <When at={at(view.expiresAt)} />. Anyone who has it can download the file until then, so do not
            share it. After that, build a new export here.
          </p>
        </div>
      )}
      {view.step === "expired" && (
        <div class="note warn" role="status">
          <p>
            The download link expired at <When at={at(view.expiredAt)} />. Build a new export to download your data again.
          </p>
          <button type="button" class="primary" onClick={() => void start()}>
            Build a new export
          </button>
        </div>
      )}
    </div>
  );
}

/** Opens and closes a confirm step; closing gives focus back to the button that opened it. */
function useConfirmStep() {
  const [open, setOpen] = useState(false);
  const trigger = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);
  useEffect(() => {
    if (wasOpen.current && !open) trigger.current?.focus();
    wasOpen.current = open;
  }, [open]);
  return { open, setOpen, trigger };
}

function DeleteCreatorData(props: { me: Me }) {
  const { me } = props;
  const mayList = can(me, "connections.read");
  const list = useLoad(() => (mayList ? api.get<{ items: Connection[] }>("/api/connections") : Promise.resolve({ items: [] })), [mayList]);
  const owned = (list.data?.items ?? []).filter((c) => c.owner_member_id === me.member.id);
  const step = useConfirmStep();
  const [receipt, setReceipt] = useState<DeletionReceipt | null>(null);
  const { busy, error, run } = useAction();
  const confirm = () =>
    run(async () => {
      const answer = await privacy.requestDeletion("creator_data");
      setReceipt(answer);
      step.setOpen(false);
    });
  return (
    <div class={owned.length > 0 || !mayList ? "card danger-zone" : "card"} aria-labelledby="creator-data-heading" role="group">
      <h3 id="creator-data-heading">Delete your creator data</h3>
      {receipt && (
        <DeletionReceiptPanel receipt={receipt} heading="Deletion of your creator data" level={4} focus onCompleted={list.reload}>
          <p>The accounts you connected are disconnected and their data removed; your own account stays.</p>
        </DeletionReceiptPanel>
      )}
      {!mayList ? (
        <CreatorDataExplained who="you" />
      ) : list.loading && !list.data ? (
        <Loading what="the accounts you connected" />
      ) : list.error ? (
        <ErrorNote error={list.error} onRetry={list.reload} />
      ) : owned.length === 0 ? (
        receipt ? null : <p>You have not connected any accounts, so there is no creator data to delete.</p>
      ) : (
        <>
          <p>
            You connected {owned.length === 1 ? "one account" : `${owned.length} accounts`}:{" "}
            {owned.map((c, i) => (
              <span key={c.id}>
                {i > 0 && ", "}
                <strong>{c.account_name}</strong> ({platformName(c.platform)}
                {c.status === "active" ? "" : `, ${STATUS_LABEL[c.status]}`})
              </span>
            ))}
            .
          </p>
          <CreatorDataExplained who="you" />
        </>
      )}
      {!receipt && (owned.length > 0 || !mayList) &&
        (step.open ? (
          <ConfirmDeletion
            name="confirm-creator-data"
            heading="Delete the data of the accounts you connected?"
            level={4}
            expected={me.member.email}
            expectedLabel="your email address"
            submitText="Delete my creator data"
            busyText="Deleting…"
            busy={busy}
            onConfirm={() => void confirm()}
            onCancel={() => step.setOpen(false)}
          >
            {error ? <DeletionError error={error} workspace={me.workspace.name} /> : null}
          </ConfirmDeletion>
        ) : (
          <button type="button" class="secondary" ref={step.trigger} onClick={() => step.setOpen(true)}>
            Delete my creator data…
          </button>
        ))}
    </div>
  );
}

function DeleteAccount(props: { me: Me }) {
  const { me } = props;
  const step = useConfirmStep();
  const { busy, error, run } = useAction();
  const confirm = () =>
    run(async () => {
      const answer = await privacy.requestDeletion("account");
      // The deletion has begun: end the session here and now rather than wait for the worker to.
      await signOut("/account-deleted", { deletion: answer }).catch(() => undefined);
    });
  return (
    <div class="card danger-zone" aria-labelledby="delete-account-heading" role="group">
      <h3 id="delete-account-heading">Delete your account</h3>
      <AccountExplained who="you" />
      {step.open ? (
        <ConfirmDeletion
          name="confirm-account"
          heading={`Delete your account in ${me.workspace.name}?`}
          level={4}
          expected={me.member.email}
          expectedLabel="your email address"
          submitText="Delete my account"
          busyText="Deleting…"
          busy={busy}
          onConfirm={() => void confirm()}
          onCancel={() => step.setOpen(false)}
        >
          {error ? <DeletionError error={error} workspace={me.workspace.name} /> : null}
        </ConfirmDeletion>
      ) : (
        <button type="button" class="secondary" ref={step.trigger} onClick={() => step.setOpen(true)}>
          Delete my account…
        </button>
      )}
    </div>
  );
}

/** Public: where a member lands after deleting their account (signed out by then). */
export function AccountDeleted(props: { place: Place }) {
  const receipt = props.place.state?.deletion;
  return (
    <Page title="You deleted your account" lede="You are signed out.">
      <p>
        Your sessions have ended and your API keys no longer work. You cannot sign in again: your data is being deleted, which normally takes a few
        minutes. To use CreatorDeck again, ask a workspace admin to invite you.
      </p>
      {receipt ? (
        <DeletionReceiptPanel receipt={receipt} heading="Your deletion request" />
      ) : (
        <p>
          The confirmation code was shown when you asked for the deletion; its status page says when the deletion is complete. The{" "}
          <a href="/data-deletion">data deletion</a> page explains what is deleted and how to reach the operator.
        </p>
      )}
    </Page>
  );
}
