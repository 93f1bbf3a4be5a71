// Pieces the dashboard screens share: signed growth, CSV links, status badges, an account's header.
import type { ComponentChildren } from "preact";
import { api } from "./api";
import type { AccountDetail, AccountSummary, Growth as GrowthValues } from "./dashboard-api";
import { paths } from "./dashboard-api";
import { count, percent, platformName, signed, STATUS_LABEL } from "./format";
import { useLoad, When } from "./ui";

/** Followers gained or lost: the sign and the words carry it, the colour only repeats it. */
export function Change(props: { value: number | null; period?: string }) {
  if (props.value === null) {
    return (
      <span class="change none">
        —<span class="visually-hidden"> no reading {props.period ? `${props.period} back` : "that far back"}</span>
      </span>
    );
  }
  const kind = props.value > 0 ? "up" : props.value < 0 ? "down" : "flat";
  const words = kind === "up" ? "gained" : kind === "down" ? "lost" : "no change";
  return (
    <span class={`change ${kind}`}>
      {signed(props.value)}
      <span class="visually-hidden"> ({words})</span>
    </span>
  );
}

export function GrowthFacts(props: { growth: GrowthValues }) {
  return (
    <>
      {(["7d", "30d", "90d"] as const).map((period) => (
        <div class="stat" key={period}>
          <dt>Followers, last {period.replace("d", " days")}</dt>
          <dd>
            <Change value={props.growth[period]} period={period.replace("d", " days")} />
          </dd>
        </div>
      ))}
    </>
  );
}

/** A CSV export: a plain link to the API (the cookie goes with it); the browser saves the file. */
export function CsvLink(props: { href: string; children?: ComponentChildren }) {
  return (
    <a class="csv" href={props.href} download>
      {props.children ?? "Download CSV"}
    </a>
  );
}

export function StatusBadge(props: { account: Pick<AccountSummary, "status" | "needs_reauth">; link?: boolean }) {
  const { account } = props;
  if (account.needs_reauth || account.status === "needs_reauth") {
    return props.link ? (
      <a class="status status-warn" href="/connections">
        needs reconnecting
      </a>
    ) : (
      <span class="status status-warn">needs reconnecting</span>
    );
  }
  return <span class={`status status-${account.status}`}>{STATUS_LABEL[account.status]}</span>;
}

export function AlertsBadge(props: { open: number }) {
  if (props.open === 0) return <span class="muted">none</span>;
  return (
    <a class="status status-alert" href="/alerts">
      {props.open} open <span class="visually-hidden">{props.open === 1 ? "alert" : "alerts"}</span>
    </a>
  );
}

export type AccountTab = "overview" | "posts" | "demographics";

/** The account's name, facts, and links between its pages. */
export function AccountNav(props: { account: AccountSummary | undefined; id: string; current: AccountTab }) {
  const links: [AccountTab, string, string][] = [
    ["overview", "Overview", paths.account(props.id)],
    ["posts", "Posts", paths.posts(props.id)],
    ["demographics", "Demographics", paths.demographics(props.id)],
  ];
  const account = props.account;
  return (
    <>
      <p class="crumbs">
        <a href="/dashboard">Dashboard</a>
        {account && (
          <>
            {" "}
            › {account.account_name} on {platformName(account.platform)}
          </>
        )}
      </p>
      {account && (
        <p class="account-facts">
          <span>{platformName(account.platform)}</span>
          <span>{count(account.followers)} followers</span>
          <span>engagement {percent(account.engagement_rate)}</span>
          <span>
            last synced <When at={account.last_sync_at} fallback="never" />
          </span>
          <StatusBadge account={account} link />
        </p>
      )}
      <nav class="tabs" aria-label="Account pages">
        {links.map(([tab, label, href]) => (
          <a key={tab} href={href} aria-current={tab === props.current ? "page" : undefined}>
            {label}
          </a>
        ))}
      </nav>
    </>
  );
}

/** The account's summary for the header of its sub-pages (the 7-day view is the smallest answer). */
export function useAccountSummary(id: string) {
  return useLoad(() => api.get<AccountDetail>(paths.apiAccount(id), { query: { range: "7d" } }).then((d) => d.account), [id]);
}
