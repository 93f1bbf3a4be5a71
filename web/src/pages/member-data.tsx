// An admin (privacy.manage) deleting a member's data for them, from the Team screen.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type Me, type Member } from "../api";
import type { Connection } from "../dashboard-api";
import { platformName } from "../format";
import { type DeletionReceipt, type DeletionScope, privacy } from "../privacy-api";
import { AccountExplained, ConfirmDeletion, CreatorDataExplained, DeletionError } from "../privacy-ui";
import { can } from "../session";
import { useAction, useLoad } from "../ui";

/** The id of a member row's "Delete data…" button (focus goes back to it when the step is cancelled). */
export function deleteDataButtonId(member: Member): string {
  return `delete-data-${member.id}`;
}

export function MemberDataDeletion(props: {
  member: Member;
  me: Me;
  onRequested: (receipt: DeletionReceipt, scope: DeletionScope) => void;
  onCancel: () => void;
}) {
  const { member, me } = props;
  const mayList = can(me, "connections.read");
  const list = useLoad(() => (mayList ? api.get<{ items: Connection[] }>("/api/connections") : Promise.resolve(null)), [mayList]);
  const owned = list.data ? list.data.items.filter((c) => c.owner_member_id === member.id) : null;
  const [scope, setScope] = useState<DeletionScope | null>(null);
  const [unchosen, setUnchosen] = useState(false);
  const { busy, error, run } = useAction();
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => panel.current?.focus(), [member.id]);

  const confirm = () => {
    setUnchosen(!scope);
    if (!scope) return;
    void run(async () => props.onRequested(await privacy.requestDeletion(scope, member.id), scope));
  };
  const choose = (value: DeletionScope) => {
    setScope(value);
    setUnchosen(false);
  };
  const accounts =
    owned === null
      ? list.loading
        ? "checking which accounts they connected…"
        : list.error
          ? "the accounts they connected (they could not be listed just now)"
          : "the accounts they connected"
      : owned.length === 0
        ? "they have not connected any accounts, so there is nothing to delete"
        : owned.map((c) => `${c.account_name} on ${platformName(c.platform)}`).join(", ");
  const submitText = scope === "account" ? `Delete ${member.name}'s account` : scope === "creator_data" ? `Delete ${member.name}'s creator data` : "Delete";

  return (
    <div class="member-data" ref={panel} tabIndex={-1} role="group" aria-labelledby="confirm-member-data-heading">
      <ConfirmDeletion
        name="confirm-member-data"
        heading={`Delete data of ${member.name}`}
        level={2}
        autoFocus={false}
        expected={member.email}
        expectedLabel="their email address"
        submitText={submitText}
        busyText="Deleting…"
        busy={busy}
        onConfirm={confirm}
        onCancel={props.onCancel}
      >
        <p class="hint">The deletion starts as soon as you confirm; {member.name} is not asked again. Do this when they asked for it.</p>
        {unchosen && (
          <div class="note error" role="alert">
            <p>Choose what to delete.</p>
          </div>
        )}
        <fieldset>
          <legend>What to delete</legend>
          <div class="checks single">
            <label class="choice">
              <input
                type="radio"
                name="member-data-scope"
                value="creator_data"
                checked={scope === "creator_data"}
                disabled={owned !== null && owned.length === 0}
                onChange={() => choose("creator_data")}
              />
              <span>
                Their creator data <span class="muted">— {accounts}</span>
              </span>
            </label>
            <label class="choice">
              <input type="radio" name="member-data-scope" value="account" checked={scope === "account"} onChange={() => choose("account")} />
              <span>Their whole account, with that data</span>
            </label>
          </div>
        </fieldset>
        {scope === "creator_data" && <CreatorDataExplained who="they" />}
        {scope === "account" && <AccountExplained who="they" />}
        {error ? <DeletionError error={error} workspace={me.workspace.name} /> : null}
      </ConfirmDeletion>
    </div>
  );
}
