// The signed-in member's own account.
import { useState } from "preact/hooks";
import { api, type Me } from "../api";
import { roleLabel } from "../labels";
import { ErrorNote, Notice, Page, SubmitButton, TextField, useAction, When } from "../ui";
import { YourData } from "./your-data";

export function Account(props: { me: Me }) {
  const { member, workspace } = props.me;
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [done, setDone] = useState(false);
  const { busy, error, setError, run } = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    setDone(false);
    if (next !== confirm) {
      setError(new Error("The two new passwords are not the same."));
      return;
    }
    void run(async () => {
      await api.post("/api/me/password", { current_password: current, new_password: next });
      setCurrent("");
      setNext("");
      setConfirm("");
      setDone(true);
    });
  };
  return (
    <Page title="Account">
      <dl class="facts card">
        <dt>Name</dt>
        <dd>{member.name}</dd>
        <dt>Email</dt>
        <dd>{member.email}</dd>
        <dt>Workspace</dt>
        <dd>{workspace.name}</dd>
        <dt>Role</dt>
        <dd>{roleLabel(member.role)}</dd>
        <dt>Member since</dt>
        <dd>
          <When at={member.created_at} />
        </dd>
      </dl>
      <form class="card narrow" onSubmit={submit} aria-labelledby="password-heading">
        <h2 id="password-heading">Change password</h2>
        {done && <Notice>Your password is changed.</Notice>}
        {error instanceof Error && !("status" in error) ? (
          <div class="note error" role="alert">
            <p>{error.message}</p>
          </div>
        ) : error ? (
          <ErrorNote error={error} />
        ) : null}
        <TextField label="Current password" name="current-password" type="password" autoComplete="current-password" required value={current} onValue={setCurrent} />
        <TextField
          label="New password"
          name="new-password"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          hint="At least 12 characters."
          value={next}
          onValue={setNext}
        />
        <TextField label="Repeat the new password" name="confirm-password" type="password" autoComplete="new-password" required minLength={12} value={confirm} onValue={setConfirm} />
        <SubmitButton busy={busy} busyText="Saving…">
          Change password
        </SubmitButton>
      </form>
      <YourData me={props.me} />
    </Page>
  );
}
