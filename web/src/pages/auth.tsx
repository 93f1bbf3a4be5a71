// Signed-out screens: sign in, forgot and reset password, accept an invitation.
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, type InvitationPreview, type Member } from "../api";
import { roleLabel } from "../labels";
import { navigate, type Place, takeFragmentToken } from "../router";
import { forgetSession, loadMe, useSession } from "../session";
import { ErrorNote, Loading, Notice, Page, SubmitButton, TextField, useAction, useLoad, When } from "../ui";

/** Only local paths are followed after sign-in (no open redirect). */
function safeNext(next: string | undefined): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

const MIN_PASSWORD = 12;

export function SignIn(props: { place: Place }) {
  const me = useSession();
  const state = props.place.state;
  const [email, setEmail] = useState(state?.email ?? "");
  const [password, setPassword] = useState("");
  const { busy, error, run } = useAction();
  const next = safeNext(state?.next);

  useEffect(() => {
    if (me === undefined) loadMe().catch(() => undefined); // already signed in? then go straight on
    if (me) navigate(next, { replace: true });
  }, [me, next]);

  const submit = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      await api.post("/api/auth/sign-in", { email, password, mode: "cookie" }, { expectUnauthorized: true });
      setPassword("");
      await loadMe();
    });
  };

  return (
    <Page title="Sign in">
      {state?.notice && <Notice>{state.notice}</Notice>}
      <form class="card narrow" onSubmit={submit} noValidate={false}>
        {error ? <ErrorNote error={error} /> : null}
        <TextField label="Email" name="email" type="email" autoComplete="username" required value={email} onValue={setEmail} />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onValue={setPassword}
        />
        <SubmitButton busy={busy} busyText="Signing in…">
          Sign in
        </SubmitButton>
        <p>
          <a href="/forgot-password">Forgot your password?</a>
        </p>
      </form>
      <p class="muted">CreatorDeck is invite-only: ask a workspace admin for an invitation.</p>
    </Page>
  );
}

export function ForgotPassword() {
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const answer = await api.post<{ message: string }>("/api/auth/password-reset", { email });
      setSent(answer.message);
    });
  };
  return (
    <Page title="Reset your password" lede="We email a link that works once, for one hour.">
      {sent ? (
        <Notice>
          <p>{sent}</p>
          <p>
            <a href="/sign-in">Back to sign in</a>
          </p>
        </Notice>
      ) : (
        <form class="card narrow" onSubmit={submit}>
          {error ? <ErrorNote error={error} /> : null}
          <TextField label="Email" name="email" type="email" autoComplete="email" required value={email} onValue={setEmail} />
          <SubmitButton busy={busy} busyText="Sending…">
            Email me a reset link
          </SubmitButton>
          <p>
            <a href="/sign-in">Back to sign in</a>
          </p>
        </form>
      )}
    </Page>
  );
}

function NewPasswordFields(props: {
  password: string;
  confirm: string;
  setPassword: (v: string) => void;
  setConfirm: (v: string) => void;
  label?: string;
}) {
  return (
    <>
      <TextField
        label={props.label ?? "New password"}
        name="new-password"
        type="password"
        autoComplete="new-password"
        required
        minLength={MIN_PASSWORD}
        hint={`At least ${MIN_PASSWORD} characters.`}
        value={props.password}
        onValue={props.setPassword}
      />
      <TextField
        label="Repeat the password"
        name="confirm-password"
        type="password"
        autoComplete="new-password"
        required
        minLength={MIN_PASSWORD}
        value={props.confirm}
        onValue={props.setConfirm}
      />
    </>
  );
}

function mismatch(password: string, confirm: string): Error | null {
  return password === confirm ? null : new Error("The two passwords are not the same.");
}

function LocalError(props: { error: Error }) {
  return (
    <div class="note error" role="alert">
      <p>{props.error.message}</p>
    </div>
  );
}

export function ResetPassword() {
  const token = useMemo(takeFragmentToken, []);
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [local, setLocal] = useState<Error | null>(null);
  const { busy, error, run } = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    const problem = mismatch(password, confirm);
    setLocal(problem);
    if (problem || !token) return;
    void run(async () => {
      await api.post("/api/auth/password-reset/confirm", { token, password });
      forgetSession(); // a reset signs out every session of the account
      navigate("/sign-in", { replace: true, state: { notice: "Your password is changed. Sign in with the new one." } });
    });
  };
  return (
    <Page title="Choose a new password">
      {!token ? (
        <div class="note error" role="alert">
          <p>This reset link is incomplete. Open the link from the email again, or ask for a new one.</p>
          <p>
            <a href="/forgot-password">Ask for a new link</a>
          </p>
        </div>
      ) : (
        <form class="card narrow" onSubmit={submit}>
          {local && <LocalError error={local} />}
          {error ? <ErrorNote error={error} /> : null}
          {error ? (
            <p>
              <a href="/forgot-password">Ask for a new reset link</a>
            </p>
          ) : null}
          <NewPasswordFields password={password} confirm={confirm} setPassword={setPassword} setConfirm={setConfirm} />
          <p class="hint">Setting a new password signs you out everywhere.</p>
          <SubmitButton busy={busy} busyText="Saving…">
            Set password
          </SubmitButton>
        </form>
      )}
    </Page>
  );
}

export function AcceptInvitation() {
  const token = useMemo(takeFragmentToken, []);
  const preview = useLoad(
    () =>
      token
        ? api.post<InvitationPreview>("/api/invitations/preview", { token })
        : Promise.reject(new Error("missing token")),
    [token],
  );
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [local, setLocal] = useState<Error | null>(null);
  const { busy, error, run } = useAction();

  const submit = (event: Event) => {
    event.preventDefault();
    const problem = mismatch(password, confirm);
    setLocal(problem);
    if (problem || !token || !preview.data) return;
    const invitation = preview.data;
    void run(async () => {
      await api.post<Member>("/api/invitations/accept", { token, name, password });
      navigate("/sign-in", {
        replace: true,
        state: {
          notice: `Welcome to ${invitation.workspace_name}. Your account is ready: sign in with your new password.`,
          email: invitation.email,
        },
      });
    });
  };

  let body;
  if (!token) {
    body = (
      <div class="note error" role="alert">
        <p>This invitation link is incomplete. Open the link from the email again.</p>
      </div>
    );
  } else if (preview.loading) {
    body = <Loading what="the invitation" />;
  } else if (preview.error || !preview.data) {
    body = <ErrorNote error={preview.error} onRetry={preview.reload} />;
  } else {
    const invitation = preview.data;
    body = (
      <>
        <dl class="facts card narrow">
          <dt>Workspace</dt>
          <dd>{invitation.workspace_name}</dd>
          <dt>Email</dt>
          <dd>{invitation.email}</dd>
          <dt>Role</dt>
          <dd>{roleLabel(invitation.role)}</dd>
          <dt>Link expires</dt>
          <dd>
            <When at={invitation.expires_at} />
          </dd>
        </dl>
        <form class="card narrow" onSubmit={submit}>
          <h2>Create your account</h2>
          {local && <LocalError error={local} />}
          {error ? <ErrorNote error={error} /> : null}
          <TextField label="Your name" name="name" autoComplete="name" required maxLength={120} value={name} onValue={setName} />
          <NewPasswordFields
            label="Password"
            password={password}
            confirm={confirm}
            setPassword={setPassword}
            setConfirm={setConfirm}
          />
          <SubmitButton busy={busy} busyText="Creating your account…">
            Accept invitation
          </SubmitButton>
        </form>
      </>
    );
  }
  return (
    <Page title="Accept your invitation" lede="You were invited to a CreatorDeck workspace.">
      {body}
    </Page>
  );
}
