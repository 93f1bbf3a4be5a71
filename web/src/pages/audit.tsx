// The audit log: newest first, paged with the API's cursor, filtered by actor and action.
import { useState } from "preact/hooks";
import { api, type AuditEntry, type Me, type Member, type Page as ApiPage } from "../api";
import { CsvLink } from "../dashboard-ui";
import { AUDIT_ACTIONS, auditLabel } from "../labels";
import { can } from "../session";
import { Empty, ErrorNote, Loading, Page, useLoad, When } from "../ui";

const PAGE_SIZE = 25;

interface Filters {
  actor: string;
  action: string;
}

export function AuditLog(props: { me: Me }) {
  const mayListMembers = can(props.me, "members.list");
  const members = useLoad(
    () => (mayListMembers ? api.get<{ items: Member[] }>("/api/members") : Promise.resolve({ items: [] as Member[] })),
    [mayListMembers],
  );
  const [draft, setDraft] = useState<Filters>({ actor: "", action: "" });
  const [filters, setFilters] = useState<Filters>({ actor: "", action: "" });
  // cursors[i] opened page i; page 0 has none.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const pageIndex = cursors.length - 1;
  const cursor = cursors[pageIndex];
  const page = useLoad(
    () =>
      api.get<ApiPage<AuditEntry>>("/api/audit", {
        query: { actor: filters.actor || undefined, action: filters.action || undefined, limit: PAGE_SIZE, cursor },
      }),
    [filters.actor, filters.action, cursor],
  );
  const csvQuery = new URLSearchParams({ format: "csv" });
  if (filters.actor) csvQuery.set("actor", filters.actor);
  if (filters.action) csvQuery.set("action", filters.action);
  const names = new Map((members.data?.items ?? []).map((m) => [m.id, m.name]));
  const who = (id: string | null | undefined) => (id ? (names.get(id) ?? id) : "—");

  const apply = (event: Event) => {
    event.preventDefault();
    setFilters({ ...draft });
    setCursors([undefined]);
  };
  const clear = () => {
    setDraft({ actor: "", action: "" });
    setFilters({ actor: "", action: "" });
    setCursors([undefined]);
  };

  return (
    <Page title="Audit log" lede="Who did what in this workspace, newest first. Entries are kept for one year.">
      <form class="card filters" onSubmit={apply} aria-label="Filter the audit log">
        <div class="row">
          <div class="field">
            <label for="audit-actor">Actor</label>
            {mayListMembers ? (
              <select id="audit-actor" value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: (e.currentTarget as HTMLSelectElement).value })}>
                <option value="">Anyone</option>
                {(members.data?.items ?? []).map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.name} ({m.email})
                  </option>
                ))}
              </select>
            ) : (
              <input id="audit-actor" value={draft.actor} onInput={(e) => setDraft({ ...draft, actor: (e.currentTarget as HTMLInputElement).value })} />
            )}
          </div>
          <div class="field">
            <label for="audit-action">Action</label>
            <select id="audit-action" value={draft.action} onChange={(e) => setDraft({ ...draft, action: (e.currentTarget as HTMLSelectElement).value })}>
              <option value="">Any action</option>
              {Object.entries(AUDIT_ACTIONS).map(([code, label]) => (
                <option key={code} value={code}>
                  {label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div class="inline">
          <button type="submit" class="primary">
            Apply filters
          </button>
          <button type="button" class="secondary" onClick={clear}>
            Clear
          </button>
        </div>
      </form>
      {members.error ? <ErrorNote error={members.error} onRetry={members.reload} /> : null}
      {page.loading ? (
        <Loading what="audit entries" />
      ) : page.error ? (
        <ErrorNote error={page.error} onRetry={page.reload} />
      ) : !page.data || page.data.items.length === 0 ? (
        <Empty>{filters.actor || filters.action ? "No entries match these filters." : "No audit entries yet."}</Empty>
      ) : (
        <>
          <p class="toolbar">
            <span>{filters.actor || filters.action ? "Entries matching the filters" : "All entries"}, newest first</span>
            <CsvLink href={`/api/audit?${csvQuery.toString()}`}>Download the audit log as CSV</CsvLink>
          </p>
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Audit entries table">
            <table>
              <caption class="visually-hidden">Audit entries, page {pageIndex + 1}</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Action</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Target</th>
                  <th scope="col">From</th>
                </tr>
              </thead>
              <tbody>
                {page.data.items.map((entry) => (
                  <tr key={entry.id}>
                    <td>
                      <When at={entry.at} />
                    </td>
                    <th scope="row">
                      {auditLabel(entry.action)} <code class="subtle">{entry.action}</code>
                    </th>
                    <td>{who(entry.actor_id)}</td>
                    <td>
                      {who(entry.target)}
                      {entry.details && Object.keys(entry.details).length > 0 && (
                        <span class="details">
                          {Object.entries(entry.details)
                            .map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`)
                            .join(" · ")}
                        </span>
                      )}
                    </td>
                    <td>{entry.ip || "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {(pageIndex > 0 || page.data?.cursor) && (
      <nav class="pager" aria-label="Audit log pages">
        <button type="button" class="secondary" disabled={pageIndex === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <span>Page {pageIndex + 1}</span>
        <button
          type="button"
          class="secondary"
          disabled={page.loading || !page.data?.cursor}
          onClick={() => page.data?.cursor && setCursors([...cursors, page.data.cursor])}
        >
          Older
        </button>
      </nav>
      )}
    </Page>
  );
}
