// Team & roles, and invitations.
import { useState } from "preact/hooks";
import { api, type Invitation, type Me, type Member, type Role } from "../api";
import { GRANTABLE, ROLE_DESCRIPTIONS, ROLES, roleLabel } from "../labels";
import type { DeletionReceipt, DeletionScope } from "../privacy-api";
import { DeletionReceiptPanel } from "../privacy-ui";
import { can } from "../session";
import { Empty, ErrorNote, Loading, Notice, Page, SubmitButton, TextField, useAction, useLoad, When } from "../ui";
import { deleteDataButtonId, MemberDataDeletion } from "./member-data";

function MemberRow(props: { member: Member; me: Me; onChanged: (message: string) => void; onDeleteData: (member: Member) => void }) {
  const { member, me } = props;
  const self = member.id === me.member.id;
  const [role, setRole] = useState<Role>(member.role);
  const [saved, setSaved] = useState<Role>(member.role);
  const [confirming, setConfirming] = useState(false);
  const { busy, error, run } = useAction();
  const mayChange = can(me, "members.change_role") && !self;
  const mayRemove = can(me, "members.remove") && !self;
  // One's own data is deleted from the Account screen, where its consequences (signing out) are handled.
  const mayDeleteData = can(me, "privacy.manage") && !self;
  const selectId = `role-${member.id}`;

  const saveRole = () =>
    run(async () => {
      await api.patch(`/api/members/${encodeURIComponent(member.id)}`, { role });
      setSaved(role);
      props.onChanged(`${member.name} is now ${roleLabel(role).toLowerCase()}.`);
    });
  const remove = () =>
    run(async () => {
      await api.delete(`/api/members/${encodeURIComponent(member.id)}`);
      props.onChanged(`${member.name} was removed from the workspace.`);
    });

  return (
    <tr>
      <th scope="row">
        {member.name}
        {self && <span class="tag">you</span>}
      </th>
      <td>{member.email}</td>
      <td>
        {mayChange ? (
          <div class="inline">
            <label class="visually-hidden" for={selectId}>
              Role of {member.name}
            </label>
            <select id={selectId} value={role} onChange={(e) => setRole((e.currentTarget as HTMLSelectElement).value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {roleLabel(r)}
                </option>
              ))}
            </select>
            {role !== saved && (
              <button type="button" class="secondary" onClick={() => void saveRole()} aria-disabled={busy ? "true" : undefined}>
                Save role
              </button>
            )}
          </div>
        ) : (
          roleLabel(member.role)
        )}
      </td>
      <td>
        <When at={member.created_at} />
      </td>
      <td>
        <div class="actions">
          {mayRemove &&
            (confirming ? (
              <div class="inline" role="group" aria-label={`Confirm removing ${member.name}`}>
                <button type="button" class="danger" onClick={() => void remove()}>
                  Remove {member.name}
                </button>
                <button type="button" class="secondary" onClick={() => setConfirming(false)}>
                  Cancel
                </button>
              </div>
            ) : (
              <button type="button" class="secondary" onClick={() => setConfirming(true)} aria-label={`Remove ${member.name}`}>
                Remove…
              </button>
            ))}
          {mayDeleteData && (
            <button
              type="button"
              class="secondary"
              id={deleteDataButtonId(member)}
              onClick={() => props.onDeleteData(member)}
              aria-label={`Delete data of ${member.name}…`}
            >
              Delete data…
            </button>
          )}
        </div>
        {error ? <ErrorNote error={error} /> : null}
      </td>
    </tr>
  );
}

export function Team(props: { me: Me }) {
  const members = useLoad(() => api.get<{ items: Member[] }>("/api/members"));
  const [notice, setNotice] = useState<string | null>(null);
  const changed = (message: string) => {
    setNotice(message);
    members.reload();
  };
  const manages = can(props.me, "members.change_role") || can(props.me, "members.remove") || can(props.me, "privacy.manage");
  const [acting, setActing] = useState<Member | null>(null);
  const [deletion, setDeletion] = useState<{ receipt: DeletionReceipt; scope: DeletionScope; name: string } | null>(null);
  const cancelDeletion = () => {
    const member = acting;
    setActing(null);
    if (member) document.getElementById(deleteDataButtonId(member))?.focus();
  };
  return (
    <Page title="Team & roles" lede={`Everyone in ${props.me.workspace.name} and what their role lets them do.`}>
      {notice && <Notice>{notice}</Notice>}
      {deletion && (
        <DeletionReceiptPanel
          key={deletion.receipt.confirmation_code}
          receipt={deletion.receipt}
          heading={deletion.scope === "account" ? `Deletion of ${deletion.name}'s account` : `Deletion of ${deletion.name}'s creator data`}
          focus
          onCompleted={members.reload}
        >
          <p>
            {deletion.scope === "account"
              ? `Once the deletion completes, ${deletion.name} is signed out everywhere and leaves this list.`
              : `The accounts ${deletion.name} connected are removed; ${deletion.name} stays a member.`}{" "}
            Give them the confirmation code if they asked for the deletion.
          </p>
        </DeletionReceiptPanel>
      )}
      {members.loading && !members.data ? (
        <Loading what="members" />
      ) : members.error ? (
        <ErrorNote error={members.error} onRetry={members.reload} />
      ) : !members.data || members.data.items.length === 0 ? (
        <Empty>No members yet.</Empty>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Members table">
          <table>
            <caption class="visually-hidden">Members</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                <th scope="col">{manages ? "Actions" : <span class="visually-hidden">Actions</span>}</th>
              </tr>
            </thead>
            <tbody>
              {members.data.items.map((member) => (
                <MemberRow key={`${member.id}:${member.role}`} member={member} me={props.me} onChanged={changed} onDeleteData={setActing} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {acting && (
        <MemberDataDeletion
          key={acting.id}
          member={acting}
          me={props.me}
          onCancel={cancelDeletion}
          onRequested={(receipt, scope) => {
            setNotice(null);
            setActing(null);
            setDeletion({ receipt, scope, name: acting.name });
          }}
        />
      )}
      <section aria-labelledby="roles-heading">
        <h2 id="roles-heading">Roles</h2>
        <dl class="roles">
          {ROLES.map((r) => (
            <div key={r}>
              <dt>{roleLabel(r)}</dt>
              <dd>{ROLE_DESCRIPTIONS[r]}</dd>
            </div>
          ))}
        </dl>
      </section>
    </Page>
  );
}

function InviteForm(props: { me: Me; onInvited: (invitation: Invitation) => void }) {
  const grantable = GRANTABLE[props.me.member.role] ?? [];
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>(grantable.includes("viewer") ? "viewer" : (grantable[0] ?? "viewer"));
  const { busy, error, run } = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const invitation = await api.post<Invitation>("/api/invitations", { email, role });
      setEmail("");
      props.onInvited(invitation);
    });
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite someone</h2>
      {error ? <ErrorNote error={error} /> : null}
      <div class="row">
        <TextField label="Email" name="invite-email" type="email" required autoComplete="off" value={email} onValue={setEmail} />
        <div class="field">
          <label for="invite-role">Role</label>
          <select id="invite-role" value={role} onChange={(e) => setRole((e.currentTarget as HTMLSelectElement).value as Role)}>
            {grantable.map((r) => (
              <option key={r} value={r}>
                {roleLabel(r)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p class="hint">The link in the email works once, for 7 days.</p>
      <SubmitButton busy={busy} busyText="Sending…">
        Send invitation
      </SubmitButton>
    </form>
  );
}

export function Invitations(props: { me: Me }) {
  const invitations = useLoad(() => api.get<{ items: Invitation[] }>("/api/invitations"));
  const [notice, setNotice] = useState<string | null>(null);
  const revoking = useAction();
  const mayInvite = can(props.me, "members.invite");
  const mayRevoke = can(props.me, "invitations.revoke");
  const revoke = (invitation: Invitation) =>
    revoking.run(async () => {
      await api.delete(`/api/invitations/${encodeURIComponent(invitation.id)}`);
      setNotice(`The invitation to ${invitation.email} is revoked.`);
      invitations.reload();
    });
  const items = [...(invitations.data?.items ?? [])].sort((a, b) => b.created_at.localeCompare(a.created_at));
  return (
    <Page title="Invitations" lede="CreatorDeck is invite-only. Pending invitations expire after 7 days.">
      {mayInvite && (
        <InviteForm
          me={props.me}
          onInvited={(invitation) => {
            setNotice(`Invitation sent to ${invitation.email} as ${roleLabel(invitation.role).toLowerCase()}.`);
            invitations.reload();
          }}
        />
      )}
      {notice && <Notice>{notice}</Notice>}
      {revoking.error ? <ErrorNote error={revoking.error} /> : null}
      <h2>Sent invitations</h2>
      {invitations.loading && !invitations.data ? (
        <Loading what="invitations" />
      ) : invitations.error ? (
        <ErrorNote error={invitations.error} onRetry={invitations.reload} />
      ) : items.length === 0 ? (
        <Empty>No invitations yet.</Empty>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Invitations table">
          <table>
            <caption class="visually-hidden">Invitations</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Sent</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((invitation) => (
                <tr key={invitation.id}>
                  <th scope="row">{invitation.email}</th>
                  <td>{roleLabel(invitation.role)}</td>
                  <td>
                    <span class={`status status-${invitation.status}`}>{invitation.status}</span>
                  </td>
                  <td>
                    <When at={invitation.created_at} />
                  </td>
                  <td>
                    <When at={invitation.expires_at} />
                  </td>
                  <td>
                    {mayRevoke && invitation.status === "pending" && (
                      <button
                        type="button"
                        class="secondary"
                        onClick={() => void revoke(invitation)}
                        aria-label={`Revoke the invitation to ${invitation.email}`}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
