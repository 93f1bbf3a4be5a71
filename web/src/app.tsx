// Routes, the public frame and the signed-in shell.
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type Me } from "./api";
import type { Connection } from "./dashboard-api";
import { roleLabel } from "./labels";
import { Account } from "./pages/account";
import { AccountDetail } from "./pages/account-detail";
import { Alerts } from "./pages/alerts";
import { AuditLog } from "./pages/audit";
import { AcceptInvitation, ForgotPassword, ResetPassword, SignIn } from "./pages/auth";
import { Connections } from "./pages/connections";
import { Roster } from "./pages/dashboard";
import { Demographics } from "./pages/demographics";
import { ApiKeys } from "./pages/keys";
import { DataDeletion, Privacy, Terms } from "./pages/legal";
import { PostDetail } from "./pages/post";
import { Posts } from "./pages/posts";
import { Settings } from "./pages/settings";
import { Invitations, Team } from "./pages/team";
import { AccountDeleted } from "./pages/your-data";
import { navigate, onLinkClick, type Place, usePlace } from "./router";
import { can, loadMe, signOut, useSession } from "./session";
import { ErrorNote, Loading, Page, useLoad } from "./ui";

interface AppRoute {
  title: string;
  /** Permission needed to see it; undefined: every signed-in member. */
  permission?: string;
  render: (me: Me) => JSX.Element;
  /** In the navigation. */
  nav?: boolean;
}

const APP_ROUTES: Record<string, AppRoute> = {
  "/": { title: "Overview", nav: true, render: (me) => <Overview me={me} /> },
  "/dashboard": { title: "Dashboard", permission: "connections.read", nav: true, render: () => <Roster /> },
  "/connections": { title: "Connections", permission: "connections.read", nav: true, render: (me) => <Connections me={me} /> },
  "/alerts": { title: "Alerts", permission: "connections.read", nav: true, render: () => <Alerts /> },
  "/team": { title: "Team & roles", permission: "members.list", nav: true, render: (me) => <Team me={me} /> },
  "/invitations": { title: "Invitations", permission: "invitations.list", nav: true, render: (me) => <Invitations me={me} /> },
  "/api-keys": { title: "API keys", permission: "api_keys.manage", nav: true, render: (me) => <ApiKeys me={me} /> },
  "/audit": { title: "Audit log", permission: "audit.read", nav: true, render: (me) => <AuditLog me={me} /> },
  "/settings": { title: "Settings", nav: true, render: (me) => <Settings me={me} /> },
  "/account": { title: "Account", nav: true, render: (me) => <Account me={me} /> },
};

/** An account's pages; the ids are path segments. In the navigation they belong to the dashboard. */
const ACCOUNT_ROUTES: { pattern: RegExp; render: (ids: string[]) => JSX.Element }[] = [
  { pattern: /^\/accounts\/([^/]+)$/, render: ([id]) => <AccountDetail id={id!} /> },
  { pattern: /^\/accounts\/([^/]+)\/posts$/, render: ([id]) => <Posts id={id!} /> },
  { pattern: /^\/accounts\/([^/]+)\/posts\/([^/]+)$/, render: ([id, post]) => <PostDetail id={id!} postId={post!} /> },
  { pattern: /^\/accounts\/([^/]+)\/demographics$/, render: ([id]) => <Demographics id={id!} /> },
];

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The route for a path: a fixed one, or an account page (keyed by its ids, so each loads afresh). */
function resolve(path: string): { route: AppRoute; navPath: string } | undefined {
  const fixed = APP_ROUTES[path];
  if (fixed) return { route: fixed, navPath: path };
  for (const { pattern, render } of ACCOUNT_ROUTES) {
    const found = pattern.exec(path);
    if (found) {
      const ids = found.slice(1).map(decode);
      return {
        route: { title: "Dashboard", permission: "connections.read", render: () => <div key={path}>{render(ids)}</div> },
        navPath: "/dashboard",
      };
    }
  }
  return undefined;
}

const PUBLIC_ROUTES: Record<string, (place: Place) => JSX.Element> = {
  "/sign-in": (place) => <SignIn place={place} />,
  "/forgot-password": () => <ForgotPassword />,
  "/reset-password": () => <ResetPassword />,
  "/accept-invitation": () => <AcceptInvitation />,
  "/privacy": () => <Privacy />,
  "/terms": () => <Terms />,
  "/data-deletion": () => <DataDeletion />,
  "/account-deleted": (place) => <AccountDeleted place={place} />,
};

export function App() {
  const place = usePlace();
  const path = place.pathname.length > 1 ? place.pathname.replace(/\/+$/, "") : place.pathname;
  const publicPage = PUBLIC_ROUTES[path];
  return <div onClick={(e) => onLinkClick(e as unknown as MouseEvent)}>{publicPage ? <PublicFrame>{publicPage(place)}</PublicFrame> : <SignedIn path={path} />}</div>;
}

function SkipLink() {
  return (
    <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById("main")?.focus(); }}>
      Skip to content
    </a>
  );
}

function Footer() {
  return (
    <footer class="footer">
      <nav aria-label="Legal">
        <a href="/privacy">Privacy policy</a>
        <a href="/terms">Terms of service</a>
        <a href="/data-deletion">Data deletion</a>
      </nav>
    </footer>
  );
}

function PublicFrame(props: { children: ComponentChildren }) {
  const me = useSession();
  return (
    <>
      <SkipLink />
      <header class="topbar">
        <a class="brand" href="/">
          CreatorDeck
        </a>
        <nav aria-label="Site">
          <a href={me ? "/" : "/sign-in"}>{me ? "Open the app" : "Sign in"}</a>
        </nav>
      </header>
      <main id="main" tabIndex={-1} class="public">
        {props.children}
      </main>
      <Footer />
    </>
  );
}

function SignedIn(props: { path: string }) {
  const me = useSession();
  const [error, setError] = useState<unknown>(null);
  const load = () => {
    setError(null);
    loadMe().catch(setError);
  };
  useEffect(() => {
    if (me === undefined) load();
    else if (me === null) navigate("/sign-in", { replace: true, state: { next: props.path === "/" ? undefined : props.path + window.location.search } });
  }, [me]);
  if (error) {
    return (
      <main id="main" class="public">
        <ErrorNote error={error} onRetry={load} />
      </main>
    );
  }
  if (!me) {
    return (
      <main id="main" class="public">
        <Loading what="your workspace" />
      </main>
    );
  }
  return <Shell me={me} path={props.path} />;
}

function Shell(props: { me: Me; path: string }) {
  const { me, path } = props;
  const [menuOpen, setMenuOpen] = useState(false);
  const firstPath = useRef(path);
  useEffect(() => {
    setMenuOpen(false);
    // Roles can change while the app is open: ask again on each navigation (a 401 signs out).
    if (path !== firstPath.current) loadMe().catch(() => undefined);
    firstPath.current = "";
  }, [path]);
  const resolved = resolve(path);
  const route = resolved?.route;
  const visible = Object.entries(APP_ROUTES).filter(([, r]) => r.nav && (!r.permission || can(me, r.permission)));
  let content: JSX.Element;
  if (!route) content = <NotFound />;
  else if (route.permission && !can(me, route.permission)) content = <NoAccess title={route.title} />;
  else content = route.render(me);
  return (
    <>
      <SkipLink />
      <header class="topbar">
        <a class="brand" href="/">
          CreatorDeck
        </a>
        <p class="workspace">
          <span class="visually-hidden">Workspace: </span>
          {me.workspace.name}
        </p>
        <div class="who">
          <span>
            {me.member.name} <span class="role">{roleLabel(me.member.role)}</span>
          </span>
          <button type="button" class="ghost" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
        <button
          type="button"
          class="ghost menu-toggle"
          aria-expanded={menuOpen ? "true" : "false"}
          aria-controls="app-nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
      </header>
      <div class="layout">
        <nav id="app-nav" class={menuOpen ? "sidenav open" : "sidenav"} aria-label="Main">
          <ul>
            {visible.map(([href, r]) => (
              <li key={href}>
                <a href={href} aria-current={href === resolved?.navPath ? "page" : undefined}>
                  {r.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          {content}
        </main>
      </div>
      <Footer />
    </>
  );
}

function Overview(props: { me: Me }) {
  const { me } = props;
  const links = Object.entries(APP_ROUTES).filter(([href, r]) => href !== "/" && (!r.permission || can(me, r.permission)));
  return (
    <Page title={`Welcome, ${me.member.name}`} lede={`You are ${roleLabel(me.member.role).toLowerCase()} in ${me.workspace.name}.`}>
      {can(me, "connections.read") && <StartHere me={me} />}
      <section class="card" aria-labelledby="available-heading">
        <h2 id="available-heading">What you can do</h2>
        <ul class="link-list">
          {links.map(([href, r]) => (
            <li key={href}>
              <a href={href}>{r.title}</a>
            </li>
          ))}
        </ul>
      </section>
    </Page>
  );
}

/** Where to go first: the dashboard once accounts are connected, Connections before. */
function StartHere(props: { me: Me }) {
  const list = useLoad(() => api.get<{ items: Connection[] }>("/api/connections"));
  const live = (list.data?.items ?? []).filter((c) => c.status !== "disconnected");
  const stale = live.filter((c) => c.needs_reauth).length;
  const mayConnect = can(props.me, "connections.manage");
  return (
    <section class="card" aria-labelledby="start-heading">
      <h2 id="start-heading">Your accounts</h2>
      {list.loading && !list.data ? (
        <Loading what="connected accounts" />
      ) : list.error ? (
        <ErrorNote error={list.error} onRetry={list.reload} />
      ) : live.length === 0 ? (
        <p>
          No accounts are connected yet.{" "}
          {mayConnect ? <a href="/connections">Connect a TikTok, Instagram, Facebook Page, Threads or YouTube account</a> : "Ask a manager to connect one."}
        </p>
      ) : (
        <>
          <p>
            {live.length} connected {live.length === 1 ? "account" : "accounts"}. <a href="/dashboard">Open the dashboard</a> for followers, growth,
            posts and audiences, or see the <a href="/alerts">alerts</a>.
          </p>
          {stale > 0 && (
            <p class="note warn">
              {stale} {stale === 1 ? "account needs" : "accounts need"} reconnecting. <a href="/connections">Go to Connections</a>.
            </p>
          )}
        </>
      )}
    </section>
  );
}

function NoAccess(props: { title: string }) {
  return (
    <Page title={props.title}>
      <div class="note error" role="alert">
        <p>Your role does not give access to this page. Ask a workspace admin if you need it.</p>
      </div>
    </Page>
  );
}

function NotFound() {
  return (
    <Page title="Page not found">
      <p>
        There is no page at this address. <a href="/">Go to the overview</a>.
      </p>
    </Page>
  );
}
