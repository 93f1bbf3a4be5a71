// Connected accounts: connect each platform by OAuth, reconnect, disconnect (confirmed), status in words.
import { useState } from "preact/hooks";
import { api, type Me } from "../api";
import type { Connection, Platform } from "../dashboard-api";
import { paths } from "../dashboard-api";
import { StatusBadge } from "../dashboard-ui";
import { PLATFORMS, platformName, STATUS_TEXT } from "../format";
import { can } from "../session";
import { Empty, ErrorNote, Loading, Notice, Page, useAction, useLoad, When } from "../ui";

const WHAT_IT_READS: Record<Platform, string> = {
  tiktok: "profile, follower count and videos with their views, likes, comments and shares",
  instagram: "a professional account's profile, followers, media, insights and audience",
  facebook: "a Page's followers, posts, insights and audience",
  threads: "profile, followers, posts and their views and replies",
  youtube: "a channel's subscribers, videos, analytics and audience",
};

/** Sends the browser to the platform's consent page; it comes back to the API's callback page. */
async function goToConsent(request: Promise<{ authorization_url: string }>): Promise<void> {
  const { authorization_url } = await request;
  window.location.assign(authorization_url);
}

export function Connections(props: { me: Me }) {
  const mayManage = can(props.me, "connections.manage");
  const list = useLoad(() => api.get<{ items: Connection[] }>("/api/connections"));
  const [notice, setNotice] = useState<string | null>(null);
  const items = list.data?.items ?? [];
  return (
    <Page
      title="Connections"
      lede={
        props.me.member.role === "creator"
          ? "The accounts you connected. CreatorDeck reads their statistics; it never posts."
          : "The workspace's connected accounts. CreatorDeck reads their statistics; it never posts."
      }
    >
      {mayManage && <ConnectPanel />}
      {notice && <Notice>{notice}</Notice>}
      <h2>Connected accounts</h2>
      {list.loading && !list.data ? (
        <Loading what="connections" />
      ) : list.error ? (
        <ErrorNote error={list.error} onRetry={list.reload} />
      ) : items.length === 0 ? (
        <Empty>{mayManage ? "No accounts are connected yet. Choose a platform above to connect one." : "No accounts are connected yet."}</Empty>
      ) : (
        <ul class="connections">
          {items.map((c) => (
            <ConnectionItem
              key={`${c.id}:${c.status}`}
              connection={c}
              mayManage={mayManage}
              onDisconnected={() => {
                setNotice(
                  `${c.account_name} on ${platformName(c.platform)} is disconnected. Its tokens are deleted and it is no longer synced.` +
                    // Threads has no endpoint for an app to revoke its own access (platforms/meta.md).
                    (c.platform === "threads"
                      ? " CreatorDeck deleted its access; Threads does not let an app remove itself, so to remove CreatorDeck from Threads as well, remove it from the apps listed in your Threads settings."
                      : ""),
                );
                list.reload();
              }}
            />
          ))}
        </ul>
      )}
    </Page>
  );
}

function ConnectPanel() {
  const { busy, error, run } = useAction();
  const [which, setWhich] = useState<Platform | null>(null);
  const connect = (platform: Platform) => {
    setWhich(platform);
    void run(() => goToConsent(api.post(`/api/oauth/${platform}/start`)));
  };
  return (
    <section class="card" aria-labelledby="connect-heading">
      <h2 id="connect-heading">Connect an account</h2>
      <p class="hint">
        You go to the platform to sign in and approve read-only access, then come back here. Keep every permission ticked: CreatorDeck needs all
        of them to show the statistics. Its history is collected right after.
      </p>
      {error ? <ErrorNote error={error} /> : null}
      <ul class="platforms">
        {PLATFORMS.map((platform) => (
          <li key={platform}>
            <button type="button" class="primary" aria-disabled={busy ? "true" : undefined} onClick={() => connect(platform)}>
              {busy && which === platform ? `Opening ${platformName(platform)}…` : `Connect ${platformName(platform)}`}
            </button>
            <span class="hint">Reads {WHAT_IT_READS[platform]}.</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function ConnectionItem(props: { connection: Connection; mayManage: boolean; onDisconnected: () => void }) {
  const c = props.connection;
  const [confirming, setConfirming] = useState(false);
  const { busy, error, run } = useAction();
  const label = `${c.account_name} on ${platformName(c.platform)}`;
  const missing = c.missing_scopes ?? [];
  const reconnect = () => run(() => goToConsent(api.post(`/api/connections/${encodeURIComponent(c.id)}/reconnect`)));
  const disconnect = () =>
    run(async () => {
      await api.delete(`/api/connections/${encodeURIComponent(c.id)}`);
      props.onDisconnected();
    });
  return (
    <li class="card connection" aria-labelledby={`connection-${c.id}`}>
      <div class="section-head">
        <h3 id={`connection-${c.id}`}>
          {c.status === "disconnected" ? c.account_name : <a href={paths.account(c.id)}>{c.account_name}</a>}{" "}
          <span class="subtle">{platformName(c.platform)}</span>
        </h3>
        <StatusBadge account={c} />
      </div>
      <p>{STATUS_TEXT[c.needs_reauth ? "needs_reauth" : c.status]}</p>
      <dl class="facts">
        <dt>Connected</dt>
        <dd>
          <When at={c.connected_at} />
        </dd>
        <dt>Last sync</dt>
        <dd>
          <When at={c.last_sync_at} fallback="not yet: the first sync runs within minutes" />
        </dd>
        <dt>Permissions granted</dt>
        <dd>
          {c.granted_scopes.length === 0 ? (
            "none"
          ) : (
            <ul class="scopes">
              {c.granted_scopes.map((s) => (
                <li key={s}>
                  <code>{s}</code>
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>Permissions missing</dt>
        <dd>
          {missing.length === 0 ? (
            "none"
          ) : (
            <>
              <ul class="scopes">
                {missing.map((s) => (
                  <li key={s}>
                    <code>{s}</code>
                  </li>
                ))}
              </ul>
              <span class="hint">Reconnect and keep these ticked to see every statistic.</span>
            </>
          )}
        </dd>
      </dl>
      {error ? <ErrorNote error={error} /> : null}
      {props.mayManage && c.status !== "disconnected" && (
        <div class="inline">
          <button type="button" class={c.needs_reauth ? "primary" : "secondary"} aria-disabled={busy ? "true" : undefined} onClick={() => void reconnect()}>
            Reconnect<span class="visually-hidden"> {label}</span>
          </button>
          {confirming ? (
            <div class="inline confirm" role="group" aria-label={`Confirm disconnecting ${label}`}>
              <span>Stop syncing and delete its tokens?</span>
              <button type="button" class="danger" aria-disabled={busy ? "true" : undefined} onClick={() => void disconnect()}>
                Disconnect {label}
              </button>
              <button type="button" class="secondary" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </div>
          ) : (
            <button type="button" class="secondary" onClick={() => setConfirming(true)}>
              Disconnect…<span class="visually-hidden"> {label}</span>
            </button>
          )}
        </div>
      )}
    </li>
  );
}
