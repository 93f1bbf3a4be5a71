// Alerts: open or all, newest first, each linking to its account or post, acknowledged in place.
import { useState } from "preact/hooks";
import { api } from "../api";
import type { Alert, AlertsPage } from "../dashboard-api";
import { paths } from "../dashboard-api";
import { CsvLink } from "../dashboard-ui";
import { alertLabel, platformName } from "../format";
import { Empty, ErrorNote, Loading, Page, useAction, useLoad, When } from "../ui";

const PAGE_SIZE = 50;
// The API reads one stretch of the history per request, so a page can come back short, or empty
// with a cursor (say, open alerts of one account among many of others'). Keep asking, a few
// requests at most, until something shows or the list ends.
const MAX_REQUESTS = 5;
type Filter = "open" | "all";

async function fetchAlerts(status: Filter, cursor?: string): Promise<AlertsPage> {
  const items: Alert[] = [];
  let next: string | null = cursor ?? null;
  for (let requests = 0; requests < MAX_REQUESTS; requests++) {
    const page: AlertsPage = await api.get<AlertsPage>("/api/alerts", {
      query: { status, limit: PAGE_SIZE, cursor: next ?? undefined },
    });
    items.push(...page.items);
    next = page.next_cursor;
    if (items.length > 0 || !next) break;
  }
  return { items, next_cursor: next };
}

export function Alerts() {
  const [status, setStatus] = useState<Filter>("open");
  const [extra, setExtra] = useState<{ items: Alert[]; cursor: string | null; lastFound: number } | null>(null);
  const [changed, setChanged] = useState<Record<string, Alert>>({});
  const first = useLoad(() => {
    setExtra(null);
    setChanged({});
    return fetchAlerts(status);
  }, [status]);
  const more = useAction();
  const items = [...(first.data?.items ?? []), ...(extra?.items ?? [])].map((a) => changed[a.id] ?? a);
  const cursor = extra ? extra.cursor : (first.data?.next_cursor ?? null);
  const fetchMore = () =>
    more.run(async () => {
      if (!cursor) return;
      const page = await fetchAlerts(status, cursor);
      setExtra({ items: [...(extra?.items ?? []), ...page.items], cursor: page.next_cursor, lastFound: page.items.length });
    });
  return (
    <Page title="Alerts" lede="Viral posts, follower spikes and drops, failed syncs and accounts to reconnect, newest first.">
      <fieldset class="filter-toggle">
        <legend>Show</legend>
        {(["open", "all"] as const).map((value) => (
          <label key={value} class="check">
            <input type="radio" name="alert-status" value={value} checked={status === value} onChange={() => setStatus(value)} />
            {value === "open" ? "Open alerts" : "All alerts"}
          </label>
        ))}
      </fieldset>
      {first.error ? (
        <ErrorNote error={first.error} onRetry={first.reload} />
      ) : first.loading || !first.data ? (
        <Loading what="alerts" />
      ) : items.length === 0 && cursor ? (
        <Empty>{status === "open" ? "No open alerts among the most recent ones" : "No alerts among the most recent ones"}; older ones may still match.</Empty>
      ) : items.length === 0 ? (
        <Empty>{status === "open" ? "No open alerts. Everything looks calm." : "No alerts yet."}</Empty>
      ) : (
        <ul class="alerts" aria-label={status === "open" ? "Open alerts" : "All alerts"}>
          {items.map((alert) => (
            <AlertItem key={alert.id} alert={alert} onChanged={(next) => setChanged((now) => ({ ...now, [next.id]: next }))} />
          ))}
        </ul>
      )}
      {items.length > 0 || cursor ? (
        <p class="toolbar">
          <CsvLink href={`/api/alerts?status=${status}&format=csv`}>{status === "open" ? "Download open alerts as CSV" : "Download all alerts as CSV"}</CsvLink>
        </p>
      ) : null}
      {more.error ? <ErrorNote error={more.error} /> : null}
      {items.length > 0 && extra && extra.lastFound === 0 && extra.cursor && !more.busy ? (
        <p class="muted" role="status">
          Nothing older matched yet; load again to look further back.
        </p>
      ) : null}
      {cursor && !first.loading && (
        <p class="pager">
          <button type="button" class="secondary" aria-disabled={more.busy ? "true" : undefined} onClick={() => void fetchMore()}>
            {more.busy ? "Loading…" : "Load older alerts"}
          </button>
        </p>
      )}
    </Page>
  );
}

function AlertItem(props: { alert: Alert; onChanged: (alert: Alert) => void }) {
  const { alert } = props;
  const ack = useAction();
  const href = alert.post_id ? paths.post(alert.connection_id, alert.post_id) : paths.account(alert.connection_id);
  const acknowledge = () =>
    ack.run(async () => {
      props.onChanged(await api.post<Alert>(`/api/alerts/${encodeURIComponent(alert.id)}/acknowledge`));
    });
  return (
    <li class={alert.acknowledged_at ? "alert-item done" : "alert-item"}>
      <div class="alert-head">
        <span class={`status kind-${alert.kind}`}>{alertLabel(alert.kind)}</span>
        <span>
          {alert.account_name} on {platformName(alert.platform)}
        </span>
        <When at={alert.created_at} />
      </div>
      <p class="alert-message">
        <a href={href}>{alert.message}</a>
      </p>
      {alert.acknowledged_at ? (
        <p class="muted">
          Acknowledged <When at={alert.acknowledged_at} />
        </p>
      ) : (
        <button type="button" class="secondary" aria-disabled={ack.busy ? "true" : undefined} onClick={() => void acknowledge()}>
          Acknowledge<span class="visually-hidden">: {alert.message}</span>
        </button>
      )}
      {ack.error ? <ErrorNote error={ack.error} /> : null}
    </li>
  );
}
