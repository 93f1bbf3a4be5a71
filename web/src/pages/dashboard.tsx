// The roster: every creator with their connected accounts, growth, engagement and alerts.
import { api } from "../api";
import type { AccountSummary, Roster as RosterData } from "../dashboard-api";
import { paths } from "../dashboard-api";
import { AlertsBadge, Change, CsvLink, StatusBadge } from "../dashboard-ui";
import { count, percent, platformName } from "../format";
import { Empty, ErrorNote, Loading, Page, useLoad, When } from "../ui";

export function Roster() {
  const roster = useLoad(() => api.get<RosterData>("/api/dashboard/roster"));
  const creators = roster.data?.creators ?? [];
  return (
    <Page title="Dashboard" lede="Every creator's connected accounts: followers, growth, engagement and open alerts.">
      {roster.loading && !roster.data ? (
        <Loading what="the roster" />
      ) : roster.error ? (
        <ErrorNote error={roster.error} onRetry={roster.reload} />
      ) : creators.length === 0 ? (
        <Empty>
          No accounts are connected yet. <a href="/connections">Connect an account</a> and its numbers appear here after the first sync.
        </Empty>
      ) : (
        <>
          <p class="toolbar">
            <span class="muted">
              As of <When at={roster.data?.generated_at} />
            </span>
            <CsvLink href="/api/dashboard/roster?format=csv">Download the roster as CSV</CsvLink>
          </p>
          {creators.map((creator, index) => (
            <section class="card creator" key={creator.member_id ?? `creator-${index}`} aria-labelledby={`creator-${index}`}>
              <h2 id={`creator-${index}`}>{creator.name}</h2>
              <AccountsTable name={creator.name} accounts={creator.accounts} />
            </section>
          ))}
        </>
      )}
    </Page>
  );
}

function AccountsTable(props: { name: string; accounts: AccountSummary[] }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={`Accounts of ${props.name}`}>
      <table class="numbers">
        <caption class="visually-hidden">Accounts of {props.name}</caption>
        <thead>
          <tr>
            <th scope="col" rowSpan={2}>
              Account
            </th>
            <th scope="col" rowSpan={2} class="num">
              Followers
            </th>
            <th scope="colgroup" colSpan={3} class="group">
              Follower growth
            </th>
            <th scope="col" rowSpan={2} class="num">
              Engagement
            </th>
            <th scope="col" rowSpan={2}>
              Alerts
            </th>
            <th scope="col" rowSpan={2}>
              Status
            </th>
          </tr>
          <tr>
            <th scope="col" class="num">
              7 days
            </th>
            <th scope="col" class="num">
              30 days
            </th>
            <th scope="col" class="num">
              90 days
            </th>
          </tr>
        </thead>
        <tbody>
          {props.accounts.map((account) => (
            <tr key={account.connection_id}>
              <th scope="row">
                <a href={paths.account(account.connection_id)}>{account.account_name}</a>
                <span class="details">{platformName(account.platform)}</span>
              </th>
              <td class="num">{count(account.followers)}</td>
              <td class="num">
                <Change value={account.growth["7d"]} period="7 days" />
              </td>
              <td class="num">
                <Change value={account.growth["30d"]} period="30 days" />
              </td>
              <td class="num">
                <Change value={account.growth["90d"]} period="90 days" />
              </td>
              <td class="num">{percent(account.engagement_rate)}</td>
              <td>
                <AlertsBadge open={account.open_alerts} />
              </td>
              <td>
                <StatusBadge account={account} link />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
