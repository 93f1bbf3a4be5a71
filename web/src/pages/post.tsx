// One post: what it is, views at fixed ages, and the history of its counters.
import { useMemo } from "preact/hooks";
import { api } from "../api";
import { Chart, type ChartSeries, instantToSeconds } from "../charts";
import type { HistoryPoint, PostDetail as Detail } from "../dashboard-api";
import { paths } from "../dashboard-api";
import { AccountNav, CsvLink, useAccountSummary } from "../dashboard-ui";
import { count, percent } from "../format";
import { Empty, ErrorNote, formatDate, Loading, Page, useLoad, When } from "../ui";

const AGES = [
  ["6h", "6 hours"],
  ["24h", "24 hours"],
  ["72h", "72 hours"],
  ["7d", "7 days"],
] as const;

const COUNTERS: { key: keyof Omit<HistoryPoint, "taken_at">; label: string }[] = [
  { key: "views", label: "Views" },
  { key: "likes", label: "Likes" },
  { key: "comments", label: "Comments" },
  { key: "shares", label: "Shares" },
  { key: "saves", label: "Saves" },
];

export function PostDetail(props: { id: string; postId: string }) {
  const account = useAccountSummary(props.id);
  const url = `${paths.apiAccount(props.id)}/posts/${encodeURIComponent(props.postId)}`;
  const detail = useLoad(() => api.get<Detail>(url), [url]);
  const post = detail.data?.post;
  const title = post ? post.caption_excerpt.trim() || `Untitled ${post.media_type.toLowerCase()}` : "Post";
  return (
    <Page title={title}>
      <AccountNav id={props.id} account={account.data} current="posts" />
      {detail.error ? (
        <ErrorNote error={detail.error} onRetry={detail.reload} />
      ) : !detail.data || !post ? (
        <Loading what="the post" />
      ) : (
        <>
          <dl class="facts card">
            <dt>Posted</dt>
            <dd>
              <When at={post.created_at} />
            </dd>
            <dt>Type</dt>
            <dd>{post.media_type.toLowerCase()}</dd>
            <dt>On the platform</dt>
            <dd>
              {post.permalink ? (
                <a href={post.permalink} rel="noopener noreferrer" target="_blank">
                  Open the post<span class="visually-hidden"> (opens in a new tab)</span>
                </a>
              ) : (
                "no link available"
              )}
            </dd>
            <dt>Engagement</dt>
            <dd>{percent(post.engagement_rate)}</dd>
          </dl>
          <dl class="stats">
            {COUNTERS.map((c) => (
              <div class="stat" key={c.key}>
                <dt>{c.label}</dt>
                <dd>{count(post[c.key])}</dd>
              </div>
            ))}
          </dl>
          <section class="card" aria-labelledby="ages-heading">
            <h2 id="ages-heading">Views after</h2>
            <dl class="stats">
              {AGES.map(([key, words]) => (
                <div class="stat" key={key}>
                  <dt>{words}</dt>
                  <dd>{detail.data?.views_at[key] === undefined ? <span class="muted">not recorded</span> : count(detail.data.views_at[key])}</dd>
                </div>
              ))}
            </dl>
          </section>
          <section class="card" aria-labelledby="history-heading">
            <div class="section-head">
              <h2 id="history-heading">History</h2>
              <CsvLink href={`${url}?format=csv`}>Download history CSV</CsvLink>
            </div>
            <History history={detail.data.history} />
          </section>
        </>
      )}
    </Page>
  );
}

function History(props: { history: HistoryPoint[] }) {
  const rows = props.history;
  const x = useMemo(() => rows.map((r) => instantToSeconds(r.taken_at)), [rows]);
  const series = useMemo<ChartSeries[]>(
    () => COUNTERS.map((c) => ({ label: c.label, values: rows.map((r) => r[c.key]), axis: c.key === "views" ? "left" : "right" })),
    [rows],
  );
  if (rows.length === 0) return <Empty>No readings of this post yet.</Empty>;
  const last = rows[rows.length - 1]!;
  const summary = `${rows.length} readings of this post's counters, the last on ${formatDate(new Date(last.taken_at))}: ${count(last.views)} views, ${count(last.likes)} likes, ${count(last.comments)} comments. Views are on the left axis, the other counters on the right.`;
  return (
    <Chart
      summary={summary}
      x={x}
      series={series}
      table={
        <div class="table-wrap">
          <table class="numbers">
            <caption class="visually-hidden">Readings of the post's counters</caption>
            <thead>
              <tr>
                <th scope="col">Taken</th>
                {COUNTERS.map((c) => (
                  <th scope="col" class="num" key={c.key}>
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.taken_at}>
                  <th scope="row">
                    <When at={r.taken_at} />
                  </th>
                  {COUNTERS.map((c) => (
                    <td class="num" key={c.key}>
                      {count(r[c.key])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      }
    />
  );
}
