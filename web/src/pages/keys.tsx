// API keys: list, create (shown once), revoke.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type ApiKey, type Me } from "../api";
import { permissionLabel } from "../labels";
import { Empty, ErrorNote, Loading, Notice, Page, SubmitButton, TextField, useAction, useLoad, When } from "../ui";

function NewKey(props: { name: string; value: string; onDone: () => void }) {
  const panel = useRef<HTMLDivElement>(null);
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<string | null>(null);
  useEffect(() => panel.current?.focus(), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopied("Copied to the clipboard.");
    } catch {
      field.current?.select();
      setCopied("Copying was not allowed here: the key is selected, press Ctrl+C (or ⌘C).");
    }
  };
  return (
    <div class="note key-once" ref={panel} tabIndex={-1} aria-labelledby="new-key-heading">
      <h2 id="new-key-heading">Your new key “{props.name}”</h2>
      <p>
        <strong>Copy it now: it is shown only once.</strong> CreatorDeck keeps only a hash of it.
      </p>
      <div class="row">
        <label class="visually-hidden" for="new-key-value">
          API key
        </label>
        <input id="new-key-value" ref={field} class="mono" readOnly value={props.value} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" class="primary" onClick={() => void copy()}>
          Copy key
        </button>
      </div>
      <p role="status">{copied}</p>
      <button type="button" class="secondary" onClick={props.onDone}>
        I have stored it
      </button>
    </div>
  );
}

function CreateKey(props: { me: Me; onCreated: (name: string, value: string) => void }) {
  const scopes = props.me.permissions;
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  const [local, setLocal] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const toggle = (scope: string, on: boolean) =>
    setChosen((now) => (on ? [...now.filter((s) => s !== scope), scope] : now.filter((s) => s !== scope)));
  const submit = (event: Event) => {
    event.preventDefault();
    if (chosen.length === 0) {
      setLocal("Choose at least one scope.");
      return;
    }
    setLocal(null);
    void run(async () => {
      const created = await api.post<{ key: string; api_key: ApiKey }>("/api/api-keys", { name, scopes: chosen });
      setName("");
      setChosen([]);
      props.onCreated(created.api_key.name, created.key);
    });
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="create-key-heading">
      <h2 id="create-key-heading">Create a key</h2>
      {local && (
        <div class="note error" role="alert">
          <p>{local}</p>
        </div>
      )}
      {error ? <ErrorNote error={error} /> : null}
      <TextField label="Name" name="key-name" required maxLength={120} hint="What the key is for, e.g. “weekly report script”." value={name} onValue={setName} />
      <fieldset>
        <legend>Scopes</legend>
        <p class="hint">Give the key only what it needs. A key can never do more than you can.</p>
        <div class="checks">
          {scopes.map((scope) => (
            <label key={scope} class="check">
              <input
                type="checkbox"
                name="scopes"
                value={scope}
                checked={chosen.includes(scope)}
                onChange={(e) => toggle(scope, (e.currentTarget as HTMLInputElement).checked)}
              />
              {permissionLabel(scope)} <code>{scope}</code>
            </label>
          ))}
        </div>
      </fieldset>
      <SubmitButton busy={busy} busyText="Creating…">
        Create key
      </SubmitButton>
    </form>
  );
}

function KeyRow(props: { item: ApiKey; onRevoked: (name: string) => void }) {
  const { item } = props;
  const [confirming, setConfirming] = useState(false);
  const { error, run } = useAction();
  const revoke = () =>
    run(async () => {
      await api.delete(`/api/api-keys/${encodeURIComponent(item.id)}`);
      props.onRevoked(item.name);
    });
  return (
    <tr>
      <th scope="row">{item.name}</th>
      <td>
        <code>{item.prefix}…</code>
      </td>
      <td>
        <ul class="scopes">
          {item.scopes.map((s) => (
            <li key={s}>
              <code title={permissionLabel(s)}>{s}</code>
            </li>
          ))}
        </ul>
      </td>
      <td>
        <When at={item.created_at} />
      </td>
      <td>
        <When at={item.last_used_at} fallback="never" />
      </td>
      <td>
        <span class={`status ${item.revoked ? "status-revoked" : "status-active"}`}>{item.revoked ? "revoked" : "active"}</span>
      </td>
      <td>
        {!item.revoked &&
          (confirming ? (
            <div class="inline" role="group" aria-label={`Confirm revoking ${item.name}`}>
              <button type="button" class="danger" onClick={() => void revoke()}>
                Revoke {item.name}
              </button>
              <button type="button" class="secondary" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </div>
          ) : (
            <button type="button" class="secondary" onClick={() => setConfirming(true)} aria-label={`Revoke ${item.name}`}>
              Revoke…
            </button>
          ))}
        {error ? <ErrorNote error={error} /> : null}
      </td>
    </tr>
  );
}

export function ApiKeys(props: { me: Me }) {
  const keys = useLoad(() => api.get<{ items: ApiKey[] }>("/api/api-keys"));
  const [fresh, setFresh] = useState<{ name: string; value: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const items = [...(keys.data?.items ?? [])].sort((a, b) => b.created_at.localeCompare(a.created_at));
  return (
    <Page
      title="API keys"
      lede="Keys let scripts and the CLI call the API as you, limited to the scopes you choose. Send one as “Authorization: Bearer <key>”."
    >
      {fresh ? (
        <NewKey name={fresh.name} value={fresh.value} onDone={() => setFresh(null)} />
      ) : (
        <CreateKey
          me={props.me}
          onCreated={(name, value) => {
            setNotice(null);
            setFresh({ name, value });
            keys.reload();
          }}
        />
      )}
      {notice && <Notice>{notice}</Notice>}
      <h2>Your keys</h2>
      {keys.loading && !keys.data ? (
        <Loading what="API keys" />
      ) : keys.error ? (
        <ErrorNote error={keys.error} onRetry={keys.reload} />
      ) : items.length === 0 ? (
        <Empty>You have no API keys.</Empty>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="API keys table">
          <table>
            <caption class="visually-hidden">Your API keys</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Starts with</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <KeyRow
                  key={`${item.id}:${item.revoked}`}
                  item={item}
                  onRevoked={(name) => {
                    setNotice(`The key “${name}” is revoked. Anything using it now gets 401.`);
                    keys.reload();
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
