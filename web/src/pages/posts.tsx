// An account's posts: sortable by every counter, paged with the API's cursor.
import { useState } from "preact/hooks";
import { api } from "../api";
import type { PostRow, PostSort, PostsPage } from "../dashboard-api";
import { paths } from "../dashboard-api";
import { AccountNav, CsvLink, useAccountSummary } from "../dashboard-ui";
import { count, percent } from "../format";
import { Empty, ErrorNote, Loading, Page, useAction, useLoad, When } from "../ui";

const PAGE_SIZE = 25;

type Order = "asc" | "desc";

const COLUMNS: { sort: PostSort; label: string; value: (p: PostRow) => string }[] = [
  { sort: "views", label: "Views", value: (p) => count(p.views) },
  { sort: "likes", label: "Likes", value: (p) => count(p.likes) },
  { sort: "comments", label: "Comments", value: (p) => count(p.comments) },
  { sort: "shares", label: "Shares", value: (p) => count(p.shares) },
  { sort: "engagement", label: "Engagement", value: (p) => percent(p.engagement_rate) },
];

function caption(post: PostRow): string {
  return post.caption_excerpt.trim() || `Untitled ${post.media_type.toLowerCase()}`;
}

interface Sorting {
  sort: PostSort;
  order: Order;
  onSort: (sort: PostSort) => void;
}

function SortHeader(props: { sort: PostSort; label: string; sorting?: Sorting; numeric?: boolean }) {
  const { sorting } = props;
  const klass = props.numeric ? "num" : undefined;
  if (!sorting) {
    return (
      <th scope="col" class={klass}>
        {props.label}
      </th>
    );
  }
  const active = sorting.sort === props.sort;
  const ariaSort = active ? (sorting.order === "asc" ? "ascending" : "descending") : "none";
  return (
    <th scope="col" class={klass} aria-sort={ariaSort}>
      <button type="button" class="sort" onClick={() => sorting.onSort(props.sort)}>
        {props.label}
        <span aria-hidden="true" class="arrow">
          {active ? (sorting.order === "asc" ? "▲" : "▼") : "↕"}
        </span>
        {active && <span class="visually-hidden">, sorted {sorting.order === "asc" ? "lowest first" : "highest first"}</span>}
      </button>
    </th>
  );
}

/** Posts as a table; sortable headers when given the current sort. */
export function PostsTable(props: { connectionId: string; label: string; items: PostRow[]; sorting?: Sorting }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={props.label}>
      <table class="numbers posts">
        <caption class="visually-hidden">{props.label}</caption>
        <thead>
          <tr>
            <SortHeader sort="created_at" label="Posted" sorting={props.sorting} />
            <th scope="col">Post</th>
            {COLUMNS.map((c) => (
              <SortHeader key={c.sort} sort={c.sort} label={c.label} sorting={props.sorting} numeric />
            ))}
          </tr>
        </thead>
        <tbody>
          {props.items.map((post) => (
            <tr key={post.id}>
              <td>
                <When at={post.created_at} />
              </td>
              <th scope="row" class="caption">
                <a href={paths.post(props.connectionId, post.id)}>{caption(post)}</a>
                <span class="subtle"> {post.media_type.toLowerCase()}</span>
              </th>
              {COLUMNS.map((c) => (
                <td key={c.sort} class="num">
                  {c.value(post)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Posts(props: { id: string }) {
  const account = useAccountSummary(props.id);
  const [sort, setSort] = useState<PostSort>("created_at");
  const [order, setOrder] = useState<Order>("desc");
  const [more, setMore] = useState<{ items: PostRow[]; cursor: string | null } | null>(null);
  const first = useLoad(() => {
    setMore(null);
    return api.get<PostsPage>(`${paths.apiAccount(props.id)}/posts`, { query: { sort, order, limit: PAGE_SIZE } });
  }, [props.id, sort, order]);
  const loadMore = useAction();
  const items = [...(first.data?.items ?? []), ...(more?.items ?? [])];
  const cursor = more ? more.cursor : (first.data?.next_cursor ?? null);
  const onSort = (next: PostSort) => {
    if (next === sort) setOrder(order === "desc" ? "asc" : "desc");
    else {
      setSort(next);
      setOrder("desc");
    }
  };
  const fetchMore = () =>
    loadMore.run(async () => {
      if (!cursor) return;
      const page = await api.get<PostsPage>(`${paths.apiAccount(props.id)}/posts`, { query: { sort, order, limit: PAGE_SIZE, cursor } });
      setMore({ items: [...(more?.items ?? []), ...page.items], cursor: page.next_cursor });
    });
  const name = account.data?.account_name;
  return (
    <Page title={name ? `Posts of ${name}` : "Posts"}>
      <AccountNav id={props.id} account={account.data} current="posts" />
      {account.error ? <ErrorNote error={account.error} onRetry={account.reload} /> : null}
      {first.error ? (
        <ErrorNote error={first.error} onRetry={first.reload} />
      ) : !first.data ? (
        <Loading what="posts" />
      ) : first.data.total === 0 ? (
        <Empty>No posts synced for this account yet.</Empty>
      ) : (
        <>
          <p class="toolbar">
            <span role="status">
              Showing {items.length} of {first.data.total} posts{first.loading ? " (sorting…)" : ""}
            </span>
            <CsvLink href={`${paths.apiAccount(props.id)}/posts?sort=${sort}&order=${order}&format=csv`}>Download all posts as CSV</CsvLink>
          </p>
          <PostsTable connectionId={props.id} label="Posts" items={items} sorting={{ sort, order, onSort }} />
          {loadMore.error ? <ErrorNote error={loadMore.error} /> : null}
          {cursor && (
            <p class="pager">
              <button type="button" class="secondary" aria-disabled={loadMore.busy ? "true" : undefined} onClick={() => void fetchMore()}>
                {loadMore.busy ? "Loading…" : "Load more posts"}
              </button>
            </p>
          )}
        </>
      )}
    </Page>
  );
}
