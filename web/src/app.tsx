// Routes, the public frame and the signed-in shell.
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Me } from "./api";
import { roleLabel } from "./labels";
import { Account } from "./pages/account";
import { AuditLog } from "./pages/audit";
import { AcceptInvitation, ForgotPassword, ResetPassword, SignIn } from "./pages/auth";
import { ApiKeys } from "./pages/keys";
import { DataDeletion, Privacy, Terms } from "./pages/legal";
import { Invitations, Team } from "./pages/team";
import { navigate, onLinkClick, type Place, usePlace } from "./router";
import { can, loadMe, signOut, useSession } from "./session";
import { ErrorNote, Loading, Page } from "./ui";

interface AppRoute {
  title: string;
  /** Permission needed to see it; undefined: every signed-in member. */
  permission?: string;
  soon?: string;
  render?: (me: Me) => JSX.Element;
  /** In the navigation. */
  nav?: boolean;
}

const APP_ROUTES: Record<string, AppRoute> = {
  "/": { title: "Overview", nav: true, render: (me) => <Overview me={me} /> },
  "/dashboard": {
    title: "Dashboard",
    nav: true,
    soon: "The roster of creators, with follower growth, top posts, engagement and audience charts for each, appears here once accounts can be connected and synced.",
  },
  "/connections": {
    title: "Connections",
    permission: "connections.read",
    nav: true,
    soon: "Connecting TikTok, Instagram, Facebook Page, Threads and YouTube accounts by OAuth will be done here.",
  },
  "/alerts": {
    title: "Alerts",
    nav: true,
    soon: "Viral-post and follower-spike alerts, and accounts that need reconnecting, will be listed here.",
  },
  "/team": { title: "Team & roles", permission: "members.list", nav: true, render: (me) => <Team me={me} /> },
  "/invitations": { title: "Invitations", permission: "invitations.list", nav: true, render: (me) => <Invitations me={me} /> },
  "/api-keys": { title: "API keys", permission: "api_keys.manage", nav: true, render: (me) => <ApiKeys me={me} /> },
  "/audit": { title: "Audit log", permission: "audit.read", nav: true, render: (me) => <AuditLog me={me} /> },
  "/settings": {
    title: "Settings",
    permission: "workspace.update",
    nav: true,
    soon: "Renaming the workspace and choosing how long metrics are kept will be done here.",
  },
  "/account": { title: "Account", nav: true, render: (me) => <Account me={me} /> },
};

const PUBLIC_ROUTES: Record<string, (place: Place) => JSX.Element> = {
  "/sign-in": (place) => <SignIn place={place} />,
  "/forgot-password": () => <ForgotPassword />,
  "/reset-password": () => <ResetPassword />,
  "/accept-invitation": () => <AcceptInvitation />,
  "/privacy": () => <Privacy />,
  "/terms": () => <Terms />,
  "/data-deletion": () => <DataDeletion />,
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
  const route = APP_ROUTES[path];
  const visible = Object.entries(APP_ROUTES).filter(([, r]) => r.nav && (!r.permission || can(me, r.permission)));
  let content: JSX.Element;
  if (!route) content = <NotFound />;
  else if (route.permission && !can(me, route.permission)) content = <NoAccess title={route.title} />;
  else if (route.render) content = route.render(me);
  else content = <ComingSoon title={route.title} what={route.soon ?? ""} />;
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
                <a href={href} aria-current={href === path ? "page" : undefined}>
                  {r.title}
                  {r.soon && <span class="soon">soon</span>}
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
  const links = Object.entries(APP_ROUTES).filter(
    ([href, r]) => href !== "/" && r.render && (!r.permission || can(me, r.permission)),
  );
  return (
    <Page title={`Welcome, ${me.member.name}`} lede={`You are ${roleLabel(me.member.role).toLowerCase()} in ${me.workspace.name}.`}>
      <section class="card" aria-labelledby="available-heading">
        <h2 id="available-heading">What you can do now</h2>
        <ul class="link-list">
          {links.map(([href, r]) => (
            <li key={href}>
              <a href={href}>{r.title}</a>
            </li>
          ))}
        </ul>
      </section>
      <section class="card" aria-labelledby="next-heading">
        <h2 id="next-heading">Coming soon</h2>
        <p>Connecting accounts, dashboards and alerts are not available yet. Nothing here is sample data.</p>
      </section>
    </Page>
  );
}

function ComingSoon(props: { title: string; what: string }) {
  return (
    <Page title={props.title}>
      <div class="card soon-card">
        <p>
          <strong>Coming soon.</strong> {props.what}
        </p>
        <p class="muted">The service behind this screen is not built yet, so there is nothing to show here.</p>
      </div>
    </Page>
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
