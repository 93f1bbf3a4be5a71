// Shapes of the dashboard, alerts, connections and settings APIs (docs/web.md lists the endpoints).

export type Platform = "tiktok" | "instagram" | "facebook" | "threads" | "youtube";
export type ConnectionStatus = "active" | "needs_reauth" | "disconnected";

export interface Growth {
  "7d": number | null;
  "30d": number | null;
  "90d": number | null;
}

export interface AccountSummary {
  connection_id: string;
  platform: Platform;
  account_name: string;
  status: ConnectionStatus;
  needs_reauth: boolean;
  last_sync_at: string | null;
  followers: number | null;
  growth: Growth;
  engagement_rate: number | null;
  open_alerts: number;
}

export interface Roster {
  generated_at: string;
  creators: { member_id: string | null; name: string; accounts: AccountSummary[] }[];
}

export interface PostRow {
  id: string;
  created_at: string;
  caption_excerpt: string;
  permalink: string | null;
  media_type: string;
  views: number | null;
  likes: number | null;
  comments: number | null;
  shares: number | null;
  saves: number | null;
  engagement_rate: number | null;
}

export type Range = "7d" | "30d" | "90d" | "1y" | "2y";
export const RANGES: Range[] = ["7d", "30d", "90d", "1y", "2y"];

export interface AccountDetail {
  account: AccountSummary;
  range: { since: string; until: string };
  followers: { date: string; value: number }[];
  cadence: { posts_last_30d: number; posts_per_week: number; weekly: { week_start: string; posts: number }[] };
  top_posts: PostRow[];
}

export type PostSort = "created_at" | "views" | "likes" | "comments" | "shares" | "engagement";

export interface PostsPage {
  items: PostRow[];
  next_cursor: string | null;
  total: number;
}

export interface HistoryPoint {
  taken_at: string;
  views: number | null;
  likes: number | null;
  comments: number | null;
  shares: number | null;
  saves: number | null;
}

export interface PostDetail {
  post: PostRow;
  views_at: Partial<Record<"6h" | "24h" | "72h" | "7d", number>>;
  history: HistoryPoint[];
}

export type DemographicsReason = "not_provided_by_platform" | "below_threshold" | "not_synced_yet" | "permission_missing";

export interface Share {
  key: string;
  share: number;
}

export interface Demographics {
  available: boolean;
  reason: DemographicsReason | null;
  taken_at: string | null;
  genders: Share[];
  age_ranges: Share[];
  countries: Share[];
  us_share: number | null;
}

export type AlertKind = "viral_post" | "follower_spike" | "follower_drop" | "sync_failed" | "needs_reauth";
export const ALERT_KINDS: AlertKind[] = ["viral_post", "follower_spike", "follower_drop", "sync_failed", "needs_reauth"];

export interface Alert {
  id: string;
  kind: AlertKind;
  connection_id: string;
  platform: Platform;
  account_name: string;
  post_id: string | null;
  message: string;
  created_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
}

export interface AlertsPage {
  items: Alert[];
  next_cursor: string | null;
}

export interface Connection {
  id: string;
  platform: Platform;
  account_id: string;
  account_name: string;
  owner_member_id?: string;
  status: ConnectionStatus;
  needs_reauth: boolean;
  granted_scopes: string[];
  missing_scopes?: string[];
  connected_at: string;
  refreshed_at?: string | null;
  last_sync_at: string | null;
}

export interface WorkspaceSettings {
  id: string;
  name: string;
  created_at: string;
  retention_days?: number;
  retention_bounds?: { min: number; max: number };
}

export interface AlertPreferences {
  email: Record<AlertKind, boolean>;
}

export interface WorkspaceClosed {
  status: "closed";
  closed_at: string;
  deletion_due_at: string;
  confirmation_code: string;
  status_url: string;
}

/** Where the dashboard's screens live; ids are path segments, so they are encoded. */
export const paths = {
  account: (id: string) => `/accounts/${encodeURIComponent(id)}`,
  posts: (id: string) => `/accounts/${encodeURIComponent(id)}/posts`,
  post: (id: string, postId: string) => `/accounts/${encodeURIComponent(id)}/posts/${encodeURIComponent(postId)}`,
  demographics: (id: string) => `/accounts/${encodeURIComponent(id)}/demographics`,
  apiAccount: (id: string) => `/api/dashboard/accounts/${encodeURIComponent(id)}`,
};
