// Settings: the workspace's name and retention (workspace.update), one's own alert e-mails (everyone),
// and closing the workspace (workspace.close).
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type Me } from "../api";
import type { AlertKind, AlertPreferences, WorkspaceClosed, WorkspaceSettings } from "../dashboard-api";
import { ALERT_KINDS } from "../dashboard-api";
import { ALERT_DESCRIPTIONS, ALERT_LABELS } from "../format";
import { can, forgetSession, loadMe } from "../session";
import { ErrorNote, formatDate, Loading, Notice, Page, SubmitButton, TextField, useAction, useLoad } from "../ui";

export function Settings(props: { me: Me }) {
  const mayUpdate = can(props.me, "workspace.update");
  const workspace = useLoad(() => api.get<WorkspaceSettings>("/api/workspace"));
  return (
    <Page title="Settings">
      {workspace.loading && !workspace.data ? (
        <Loading what="the workspace" />
      ) : workspace.error ? (
        <ErrorNote error={workspace.error} onRetry={workspace.reload} />
      ) : workspace.data ? (
        <WorkspaceForm workspace={workspace.data} mayUpdate={mayUpdate} onSaved={workspace.reload} />
      ) : null}
      <AlertEmails />
      {can(props.me, "workspace.close") && workspace.data && <CloseWorkspace name={workspace.data.name} />}
    </Page>
  );
}

function WorkspaceForm(props: { workspace: WorkspaceSettings; mayUpdate: boolean; onSaved: () => void }) {
  const { workspace } = props;
  const bounds = workspace.retention_bounds ?? { min: 30, max: 1095 };
  const [name, setName] = useState(workspace.name);
  const [days, setDays] = useState(String(workspace.retention_days ?? ""));
  const [saved, setSaved] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();
  const retention = workspace.retention_days;
  if (!props.mayUpdate) {
    return (
      <section class="card" aria-labelledby="workspace-heading">
        <h2 id="workspace-heading">Workspace</h2>
        <dl class="facts">
          <dt>Name</dt>
          <dd>{workspace.name}</dd>
          <dt>Metrics kept for</dt>
          <dd>{retention === undefined ? "—" : `${retention} days`}</dd>
        </dl>
        <p class="hint">Only members allowed to change workspace settings (admins) can change these.</p>
      </section>
    );
  }
  const submit = (event: Event) => {
    event.preventDefault();
    setSaved(null);
    const body: { name?: string; retention_days?: number } = {};
    if (name.trim() !== workspace.name) body.name = name.trim();
    if (retention !== undefined && days !== String(retention)) {
      const value = Number(days);
      if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
        setError(new Error(`Keep metrics for a whole number of days between ${bounds.min} and ${bounds.max}.`));
        return;
      }
      body.retention_days = value;
    }
    if (Object.keys(body).length === 0) {
      setSaved("Nothing to save: no field was changed.");
      return;
    }
    void run(async () => {
      await api.patch<WorkspaceSettings>("/api/workspace", body);
      setSaved("Workspace settings saved.");
      await loadMe();
      props.onSaved();
    });
  };
  const shorter = retention !== undefined && Number(days) < retention && Number(days) >= bounds.min;
  return (
    <form class="card" onSubmit={submit} aria-labelledby="workspace-heading">
      <h2 id="workspace-heading">Workspace</h2>
      {error ? <ErrorNote error={error} /> : null}
      {saved && <Notice>{saved}</Notice>}
      <TextField label="Workspace name" name="workspace-name" required maxLength={120} value={name} onValue={setName} />
      {retention !== undefined && (
        <div class="field">
          <label for="field-retention">Keep metrics for (days)</label>
          <input
            id="field-retention"
            name="retention"
            type="number"
            inputMode="numeric"
            min={bounds.min}
            max={bounds.max}
            step={1}
            required
            value={days}
            onInput={(e) => setDays((e.currentTarget as HTMLInputElement).value)}
            aria-describedby="field-retention-hint"
          />
          <p class="hint" id="field-retention-hint">
            Between {bounds.min} and {bounds.max} days. Follower readings, post counters and demographics are deleted for good this many days
            after they are recorded, so charts reach back at most this far. A change applies to what is synced from now on: readings already
            stored keep the period they were recorded with.
          </p>
          {shorter && (
            <p class="note warn" role="status">
              From now on, new readings are deleted after {days} days instead of {retention}, so charts will come to reach back only {days} days.
            </p>
          )}
        </div>
      )}
      <SubmitButton busy={busy} busyText="Saving…">
        Save workspace settings
      </SubmitButton>
    </form>
  );
}

function AlertEmails() {
  const prefs = useLoad(() => api.get<AlertPreferences>("/api/me/alert-preferences"));
  const [chosen, setChosen] = useState<Record<AlertKind, boolean> | null>(null);
  const [saved, setSaved] = useState(false);
  const { busy, error, run } = useAction();
  useEffect(() => {
    if (prefs.data) setChosen({ ...prefs.data.email });
  }, [prefs.data]);
  const submit = (event: Event) => {
    event.preventDefault();
    if (!chosen) return;
    setSaved(false);
    void run(async () => {
      const answer = await api.put<AlertPreferences>("/api/me/alert-preferences", { email: chosen });
      setChosen({ ...answer.email });
      setSaved(true);
    });
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="emails-heading">
      <h2 id="emails-heading">Alert e-mails</h2>
      <p class="hint">Every alert shows on the Alerts page for everyone who can see the account. Choose which ones are also e-mailed to you.</p>
      {prefs.loading && !prefs.data ? (
        <Loading what="your alert e-mails" />
      ) : prefs.error ? (
        <ErrorNote error={prefs.error} onRetry={prefs.reload} />
      ) : chosen ? (
        <>
          {error ? <ErrorNote error={error} /> : null}
          {saved && <Notice>Your alert e-mails are saved.</Notice>}
          <fieldset>
            <legend>E-mail me when</legend>
            <div class="checks single">
              {ALERT_KINDS.map((kind) => (
                <label key={kind} class="check">
                  <input
                    type="checkbox"
                    name="alert-email"
                    value={kind}
                    checked={chosen[kind]}
                    onChange={(e) => setChosen({ ...chosen, [kind]: (e.currentTarget as HTMLInputElement).checked })}
                  />
                  {ALERT_LABELS[kind]}: <span class="muted">{ALERT_DESCRIPTIONS[kind]}</span>
                </label>
              ))}
            </div>
          </fieldset>
          <SubmitButton busy={busy} busyText="Saving…">
            Save alert e-mails
          </SubmitButton>
        </>
      ) : null}
    </form>
  );
}

function CloseWorkspace(props: { name: string }) {
  const [typed, setTyped] = useState("");
  const [closed, setClosed] = useState<WorkspaceClosed | null>(null);
  const { busy, error, setError, run } = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    if (typed !== props.name) {
      setError(new Error(`Type the workspace's name, “${props.name}”, exactly to confirm.`));
      return;
    }
    void run(async () => setClosed(await api.post<WorkspaceClosed>("/api/workspace/close", { confirm_name: typed })));
  };
  if (closed) return <Closed name={props.name} receipt={closed} />;
  return (
    <form class="card danger-zone" onSubmit={submit} aria-labelledby="close-heading">
      <h2 id="close-heading">Close the workspace</h2>
      <p>
        Closing signs every member out at once, revokes API keys and pending invitations, disconnects every account and stops all syncing. All of
        the workspace's data is deleted 30 days later; you get a confirmation code and a page to follow the deletion. This cannot be undone.
      </p>
      {error ? <ErrorNote error={error} /> : null}
      <TextField label={`Type “${props.name}” to confirm`} name="confirm-name" value={typed} onValue={setTyped} autoComplete="off" />
      <button type="submit" class="danger" aria-disabled={busy ? "true" : undefined}>
        {busy ? "Closing…" : "Close this workspace"}
      </button>
    </form>
  );
}

/** What the member needs after closing: the API has already ended the session. */
function Closed(props: { name: string; receipt: WorkspaceClosed }) {
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => panel.current?.focus(), []);
  const { receipt } = props;
  return (
    <div class="card danger-zone" ref={panel} tabIndex={-1} role="status" aria-labelledby="closed-heading">
      <h2 id="closed-heading">{props.name} is closed</h2>
      <p>Everyone, you included, is signed out. Its data is deleted by {formatDate(new Date(receipt.deletion_due_at))}.</p>
      <dl class="facts">
        <dt>Confirmation code</dt>
        <dd>
          <code>{receipt.confirmation_code}</code>
        </dd>
        <dt>Deletion status</dt>
        <dd>
          <a href={receipt.status_url}>Follow the deletion</a>
        </dd>
      </dl>
      <p>Keep the code: it identifies this deletion if you contact the operator.</p>
      <p>
        <a href="/sign-in" onClick={() => forgetSession()}>
          Go to the sign-in page
        </a>
      </p>
    </div>
  );
}
