// Words and numbers for the dashboard: platform names, counts, signed growth, rates, shares.
import type { AlertKind, ConnectionStatus, DemographicsReason, Platform } from "./dashboard-api";

export const PLATFORMS: Platform[] = ["tiktok", "instagram", "facebook", "threads", "youtube"];

export const PLATFORM_NAMES: Record<Platform, string> = {
  tiktok: "TikTok",
  instagram: "Instagram",
  facebook: "Facebook Page",
  threads: "Threads",
  youtube: "YouTube",
};

export function platformName(platform: string): string {
  return PLATFORM_NAMES[platform as Platform] ?? platform;
}

export const STATUS_TEXT: Record<ConnectionStatus, string> = {
  active: "Connected and syncing.",
  needs_reauth: "Needs reconnecting: the platform no longer accepts CreatorDeck's access, so syncing has stopped until someone reconnects it.",
  disconnected: "Disconnected: nothing is synced any more.",
};

export const STATUS_LABEL: Record<ConnectionStatus, string> = {
  active: "active",
  needs_reauth: "needs reconnecting",
  disconnected: "disconnected",
};

export const ALERT_LABELS: Record<AlertKind, string> = {
  viral_post: "Viral post",
  follower_spike: "Follower spike",
  follower_drop: "Follower drop",
  sync_failed: "Sync failed",
  needs_reauth: "Needs reconnecting",
};

export const ALERT_DESCRIPTIONS: Record<AlertKind, string> = {
  viral_post: "a post gets far more views than the account's usual",
  follower_spike: "an account gains unusually many followers in a day",
  follower_drop: "an account loses unusually many followers in a day",
  sync_failed: "syncing an account keeps failing",
  needs_reauth: "an account must be reconnected",
};

export function alertLabel(kind: string): string {
  return ALERT_LABELS[kind as AlertKind] ?? kind;
}

export const DEMOGRAPHICS_REASONS: Record<DemographicsReason, string> = {
  not_provided_by_platform: "This platform does not give audience demographics for this kind of account to apps like CreatorDeck.",
  below_threshold: "The platform shows demographics only once an account's audience is large enough (it withholds small audiences to protect privacy).",
  not_synced_yet: "Demographics have not been synced for this account yet. They are collected about once a day; check back later.",
  permission_missing: "The permission to read audience demographics was not granted. Reconnect the account and keep every permission ticked.",
};

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const compactFormat = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

export function count(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : integer.format(value);
}

export function compact(value: number): string {
  return compactFormat.format(value);
}

export function oneDecimal(value: number): string {
  return decimal.format(value);
}

/** A signed change, with a real minus sign: "+1,204", "−37", "0". */
export function signed(value: number): string {
  if (value > 0) return `+${integer.format(value)}`;
  if (value < 0) return `−${integer.format(-value)}`;
  return "0";
}

/** A ratio (0.0523) as a percentage ("5.23 %"). */
export function percent(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined) return "—";
  return `${(value * 100).toFixed(digits)} %`;
}

/** "YYYY-MM-DD" (UTC) as a short readable date. */
const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });

export function day(date: string): string {
  const parsed = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) ? date : dayFormat.format(parsed);
}

const regions = typeof Intl.DisplayNames === "function" ? new Intl.DisplayNames(undefined, { type: "region" }) : null;

export function countryName(code: string): string {
  try {
    return regions?.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

const GENDERS: Record<string, string> = { f: "Female", female: "Female", m: "Male", male: "Male", u: "Unknown", unknown: "Unknown", other: "Other" };

export function genderName(key: string): string {
  return GENDERS[key.toLowerCase()] ?? key;
}
