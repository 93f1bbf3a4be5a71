// One account: followers over a chosen range, posting cadence, top posts.
import { useMemo, useState } from "preact/hooks";
import { api } from "../api";
import { Chart, dayToSeconds } from "../charts";
import type { AccountDetail as Detail, Range } from "../dashboard-api";
import { paths, RANGES } from "../dashboard-api";
import { AccountNav, CsvLink, GrowthFacts } from "../dashboard-ui";
import { count, day, oneDecimal, percent, signed } from "../format";
import { Empty, ErrorNote, Loading, Page, useLoad } from "../ui";
import { PostsTable } from "./posts";

const RANGE_WORDS: Record<Range, string> = { "7d": "7 days", "30d": "30 days", "90d": "90 days", "1y": "1 year", "2y": "2 years" };

export function AccountDetail(props: { id: string }) {
  const [range, setRange] = useState<Range>("90d");
  const detail = useLoad(() => api.get<Detail>(paths.apiAccount(props.id), { query: { range } }), [props.id, range]);
  const data = detail.data;
  const title = data ? data.account.account_name : "Account";
  return (
    <Page title={title}>
      <AccountNav id={props.id} account={data?.account} current="overview" />
      {detail.error ? (
        <ErrorNote error={detail.error} onRetry={detail.reload} />
      ) : !data ? (
        <Loading what="the account" />
      ) : (
        <>
          <dl class="stats">
            <div class="stat">
              <dt>Followers</dt>
              <dd>{count(data.account.followers)}</dd>
            </div>
            <GrowthFacts growth={data.account.growth} />
            <div class="stat">
              <dt>Engagement, 30 days</dt>
              <dd>{percent(data.account.engagement_rate)}</dd>
            </div>
          </dl>
          <section class="card" aria-labelledby="followers-heading">
            <div class="section-head">
              <h2 id="followers-heading">Followers</h2>
              <CsvLink href={`${paths.apiAccount(props.id)}?range=${range}&format=csv`}>Download followers CSV</CsvLink>
            </div>
            <RangePicker value={range} onChange={setRange} busy={detail.loading} />
            <FollowersChart data={data} range={range} />
          </section>
          <section class="card" aria-labelledby="cadence-heading">
            <h2 id="cadence-heading">Posting cadence</h2>
            <dl class="stats">
              <div class="stat">
                <dt>Posts, last 30 days</dt>
                <dd>{count(data.cadence.posts_last_30d)}</dd>
              </div>
              <div class="stat">
                <dt>Posts per week, last 30 days</dt>
                <dd>{oneDecimal(data.cadence.posts_per_week)}</dd>
              </div>
            </dl>
            <CadenceChart weekly={data.cadence.weekly} />
          </section>
          <section class="card" aria-labelledby="top-heading">
            <div class="section-head">
              <h2 id="top-heading">Top posts</h2>
              <a href={paths.posts(props.id)}>All posts</a>
            </div>
            {data.top_posts.length === 0 ? (
              <Empty>No posts synced yet.</Empty>
            ) : (
              <PostsTable connectionId={props.id} label="Top posts by views" items={data.top_posts} />
            )}
          </section>
        </>
      )}
    </Page>
  );
}

function RangePicker(props: { value: Range; onChange: (range: Range) => void; busy: boolean }) {
  return (
    <div class="segmented" role="group" aria-label="Time range">
      {RANGES.map((range) => (
        <button
          key={range}
          type="button"
          class="secondary"
          aria-pressed={range === props.value ? "true" : "false"}
          onClick={() => props.onChange(range)}
        >
          <span aria-hidden="true">{range}</span>
          <span class="visually-hidden">{RANGE_WORDS[range]}</span>
        </button>
      ))}
      {props.busy && (
        <span class="muted" role="status">
          Updating…
        </span>
      )}
    </div>
  );
}

function FollowersChart(props: { data: Detail; range: Range }) {
  const points = props.data.followers;
  const x = useMemo(() => points.map((p) => dayToSeconds(p.date)), [points]);
  const series = useMemo(() => [{ label: "Followers", values: points.map((p) => p.value) }], [points]);
  if (points.length === 0) {
    return <Empty>No follower readings between {day(props.data.range.since)} and {day(props.data.range.until)} yet.</Empty>;
  }
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const summary =
    points.length === 1
      ? `Followers: one reading so far, ${count(last.value)} on ${day(last.date)}.`
      : `Followers over ${RANGE_WORDS[props.range]}: from ${count(first.value)} on ${day(first.date)} to ${count(last.value)} on ${day(last.date)} (${signed(last.value - first.value)}).`;
  return (
    <>
      {points.length === 1 && (
        <p class="hint">
          One reading so far. Platforms do not hand out follower history, so this chart gains a point each day from the
          first sync on.
        </p>
      )}
      <Chart
        summary={summary}
        x={x}
        series={series}
        utcDays
        table={
          <div class="table-wrap">
            <table class="numbers">
              <caption class="visually-hidden">Followers per day</caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col" class="num">Followers</th>
                </tr>
              </thead>
              <tbody>
                {points.map((p) => (
                  <tr key={p.date}>
                    <th scope="row">{day(p.date)}</th>
                    <td class="num">{count(p.value)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        }
      />
    </>
  );
}

function CadenceChart(props: { weekly: Detail["cadence"]["weekly"] }) {
  const weeks = props.weekly;
  const x = useMemo(() => weeks.map((w) => dayToSeconds(w.week_start)), [weeks]);
  const series = useMemo(() => [{ label: "Posts", values: weeks.map((w) => w.posts) }], [weeks]);
  if (weeks.length === 0) return <Empty>No weeks to show yet.</Empty>;
  const total = weeks.reduce((sum, w) => sum + w.posts, 0);
  const busiest = weeks.reduce((best, w) => (w.posts > best.posts ? w : best), weeks[0]!);
  const summary = `Posts per week over the last ${weeks.length} weeks: ${total} in all; the busiest week, starting ${day(busiest.week_start)}, had ${busiest.posts}.`;
  return (
    <Chart
      summary={summary}
      x={x}
      series={series}
      bars
      utcDays
      height={200}
      table={
        <div class="table-wrap">
          <table class="numbers">
            <caption class="visually-hidden">Posts per week</caption>
            <thead>
              <tr>
                <th scope="col">Week starting</th>
                <th scope="col" class="num">Posts</th>
              </tr>
            </thead>
            <tbody>
              {weeks.map((w) => (
                <tr key={w.week_start}>
                  <th scope="row">{day(w.week_start)}</th>
                  <td class="num">{w.posts}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      }
    />
  );
}
