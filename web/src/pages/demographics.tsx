// An account's audience: gender, age ranges, top countries, share in the US, or why there is none.
import { api } from "../api";
import { ShareBars } from "../charts";
import type { Demographics as Data, Share } from "../dashboard-api";
import { paths } from "../dashboard-api";
import { AccountNav, CsvLink, useAccountSummary } from "../dashboard-ui";
import { countryName, DEMOGRAPHICS_REASONS, genderName, percent } from "../format";
import { ErrorNote, Loading, Page, useLoad, When } from "../ui";

export function Demographics(props: { id: string }) {
  const account = useAccountSummary(props.id);
  const url = `${paths.apiAccount(props.id)}/demographics`;
  const data = useLoad(() => api.get<Data>(url), [url]);
  const name = account.data?.account_name;
  const d = data.data;
  return (
    <Page title={name ? `Audience of ${name}` : "Audience"}>
      <AccountNav id={props.id} account={account.data} current="demographics" />
      {data.error ? (
        <ErrorNote error={data.error} onRetry={data.reload} />
      ) : !d ? (
        <Loading what="demographics" />
      ) : !d.available ? (
        <div class="card unavailable">
          <h2>Demographics are not available</h2>
          <p>{d.reason ? DEMOGRAPHICS_REASONS[d.reason] : "The platform gave no demographics for this account."}</p>
          {d.reason === "permission_missing" && (
            <p>
              <a href="/connections">Go to Connections to reconnect</a>
            </p>
          )}
          {d.taken_at && (
            <p class="muted">
              Last checked <When at={d.taken_at} />.
            </p>
          )}
        </div>
      ) : (
        <>
          <p class="toolbar">
            <span class="muted">
              As reported by the platform on <When at={d.taken_at} />
            </span>
            <CsvLink href={`${url}?format=csv`}>Download demographics CSV</CsvLink>
          </p>
          <dl class="stats">
            <div class="stat">
              <dt>Audience in the United States</dt>
              <dd>{percent(d.us_share, 1)}</dd>
            </div>
          </dl>
          <div class="demographics">
            <Dimension id="gender" title="Gender" rows={d.genders} name={genderName} keyLabel="Gender" />
            <Dimension id="age" title="Age" rows={d.age_ranges} name={(k) => k} keyLabel="Age range" />
            <Dimension id="countries" title="Top countries" rows={d.countries} name={countryName} keyLabel="Country" />
          </div>
        </>
      )}
    </Page>
  );
}

function Dimension(props: { id: string; title: string; rows: Share[]; name: (key: string) => string; keyLabel: string }) {
  const rows = props.rows.map((r) => ({ name: props.name(r.key), share: r.share, key: r.key }));
  return (
    <section class="card" aria-labelledby={`${props.id}-heading`}>
      <h2 id={`${props.id}-heading`}>{props.title}</h2>
      {rows.length === 0 ? (
        <p class="muted">The platform gave no breakdown by {props.title.toLowerCase()}.</p>
      ) : (
        <>
          <ShareBars label={`${props.title}, share of the audience`} rows={rows} />
          <details class="chart-table">
            <summary>Show as a table</summary>
            <div class="table-wrap">
              <table class="numbers">
                <caption class="visually-hidden">{props.title}, share of the audience</caption>
                <thead>
                  <tr>
                    <th scope="col">{props.keyLabel}</th>
                    <th scope="col" class="num">
                      Share
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.key}>
                      <th scope="row">
                        {r.name}
                        {r.name !== r.key && <span class="subtle"> {r.key}</span>}
                      </th>
                      <td class="num">{percent(r.share, 1)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </section>
  );
}
