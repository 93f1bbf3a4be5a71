"""Settings read once from the environment into a frozen object.

Every variable the deployed code reads is declared in ``VARIABLES`` so that the
Terraform test can check each function sets it, and so that a missing one fails
fast with one message naming all of them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final


@dataclass(frozen=True)
class Variable:
    name: str
    description: str
    required: bool = True
    default: str | None = None
    local_only: bool = False  # set by the local stack only; never in AWS


VARIABLES: Final[tuple[Variable, ...]] = (
    Variable("CREATORDECK_STAGE", "Deployment stage, e.g. local or prod."),
    Variable("CREATORDECK_TABLE_PREFIX", "Prefix of every DynamoDB table name: {prefix}-{table}."),
    Variable("CREATORDECK_TOKEN_KEY_ID", "KMS key id, ARN or alias that protects platform tokens."),
    Variable("CREATORDECK_MEDIA_BUCKET", "S3 bucket for uploaded media."),
    Variable("CREATORDECK_EXPORTS_BUCKET", "S3 bucket for data exports."),
    Variable("CREATORDECK_INGEST_QUEUE_URL", "SQS queue URL of ingest jobs."),
    Variable("CREATORDECK_PUBLISH_QUEUE_URL", "SQS queue URL of publish jobs."),
    Variable("CREATORDECK_PRIVACY_QUEUE_URL", "SQS queue URL of deletion and export jobs."),
    Variable("CREATORDECK_SECRETS_ID", "Secrets Manager id of the platform client secrets and signing key."),
    Variable(
        "CREATORDECK_PUBLIC_BASE_URL", "Public origin of the web app and API, e.g. https://app.example.com."
    ),
    Variable(
        "CREATORDECK_MAX_BODY_BYTES",
        "Largest request body the API accepts, in bytes.",
        required=False,
        default="1048576",
    ),
    Variable(
        "CREATORDECK_MAIL_FROM",
        "Sender of the product's email (an SES-verified identity in AWS).",
        required=False,
        default="CreatorDeck <no-reply@creatordeck.local>",
    ),
    Variable(
        "CREATORDECK_LOCKOUT_THRESHOLD",
        "Failed sign-ins in a row that lock an account.",
        required=False,
        default="5",
    ),
    Variable(
        "CREATORDECK_LOCKOUT_MINUTES",
        "How long a locked account stays locked.",
        required=False,
        default="15",
    ),
    Variable(
        "CREATORDECK_SIGNIN_IP_LIMIT",
        "Sign-in attempts one client IP may make per 15 minutes.",
        required=False,
        default="50",
    ),
    Variable(
        "CREATORDECK_DEAUTHORIZED_DELETION_DELAY_DAYS",
        "Days from a person removing the app (TikTok, Meta) to deleting that account's data, 0-30.",
        required=False,
        default="0",
    ),
    Variable(
        "CREATORDECK_SYNC_PROFILE_HOURS",
        "Hours between syncs of an account's profile counters and new posts.",
        required=False,
        default="6",
    ),
    Variable(
        "CREATORDECK_SYNC_COUNTERS_HOURS",
        "Hours between syncs of the counters of posts younger than 7 days.",
        required=False,
        default="2",
    ),
    Variable(
        "CREATORDECK_SYNC_DEMOGRAPHICS_HOUR_UTC",
        "Off-peak hour (UTC, 0-23) after which each account's demographics are fetched, once a day.",
        required=False,
        default="4",
    ),
    Variable(
        "CREATORDECK_SYNC_JITTER",
        "Share (0-1) of the time to an account's next sync added at random, to spread syncs out.",
        required=False,
        default="0.1",
    ),
    Variable(
        "CREATORDECK_INGEST_MAX_RECEIVES",
        "Deliveries of an ingest message before SQS moves it to the DLQ (1-1000; the queue's redrive).",
        required=False,
        default="5",
    ),
    Variable(
        "CREATORDECK_VAULT_EPOCH_HOURS",
        "Hours (1-168) during which every function seals platform tokens under one shared data key.",
        required=False,
        default="24",
    ),
    Variable(
        "CREATORDECK_PLATFORM_RATE_LIMITS",
        "JSON overrides of the ingest worker's client-side limits per platform, e.g. "
        '{"tiktok": {"calls": 600, "seconds": 60, "in_flight": 24}}: calls per window of seconds per '
        "endpoint class (0: no bucket) and calls in flight; unset keys keep the documented defaults.",
        required=False,
    ),
    Variable(
        "CREATORDECK_TIKTOK_CLIENT_KEY",
        "TikTok Login Kit client key; unset: TikTok cannot be connected.",
        required=False,
    ),
    Variable(
        "CREATORDECK_META_APP_ID",
        "Meta app id (Facebook Pages, Instagram); unset: neither can be connected.",
        required=False,
    ),
    Variable(
        "CREATORDECK_THREADS_APP_ID",
        "Threads app id; unset: Threads cannot be connected.",
        required=False,
    ),
    Variable(
        "CREATORDECK_GOOGLE_CLIENT_ID",
        "Google OAuth client id (YouTube); unset: YouTube cannot be connected.",
        required=False,
    ),
    Variable(
        "CREATORDECK_META_GRAPH_VERSION",
        "Graph API version for Facebook and Instagram, e.g. v25.0; unset: the tested one.",
        required=False,
    ),
    Variable(
        "CREATORDECK_PLATFORM_BASE_URLS",
        "Local stack only: JSON map of platform base URL names to the simulator's URLs.",
        required=False,
        local_only=True,
    ),
    Variable(
        "CREATORDECK_MAIL_OUTBOX_DIR",
        "Local stack only: write mail as files here instead of sending it through SES.",
        required=False,
        local_only=True,
    ),
    Variable(
        "AWS_ENDPOINT_URL",
        "Endpoint of the embedded AWS (moto server). Unset in AWS.",
        required=False,
        local_only=True,
    ),
    Variable("AWS_REGION", "AWS region; Lambda sets it.", required=False, default="us-east-1"),
)

# Lambda sets these itself; Terraform must not (and cannot) set them.
RUNTIME_PROVIDED: Final[frozenset[str]] = frozenset({"AWS_REGION"})


class SettingsError(Exception):
    """The environment is missing or has malformed configuration."""


@dataclass(frozen=True)
class Settings:
    stage: str
    table_prefix: str
    token_key_id: str
    media_bucket: str
    exports_bucket: str
    ingest_queue_url: str
    publish_queue_url: str
    privacy_queue_url: str
    secrets_id: str
    public_base_url: str
    max_body_bytes: int
    mail_from: str
    lockout_threshold: int
    lockout_minutes: int
    signin_ip_limit: int
    mail_outbox_dir: str | None
    tiktok_client_key: str | None
    meta_app_id: str | None
    threads_app_id: str | None
    google_client_id: str | None
    meta_graph_version: str | None
    platform_base_urls: Mapping[str, str]
    aws_endpoint_url: str | None
    aws_region: str
    deauthorized_deletion_delay_days: int = 0
    sync_profile_hours: int = 6
    sync_counters_hours: int = 2
    sync_demographics_hour_utc: int = 4
    sync_jitter: float = 0.1
    vault_epoch_hours: int = 24
    ingest_max_receives: int = 5
    platform_rate_limits: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values = {var.name: env.get(var.name) or var.default for var in VARIABLES}
        missing = [var.name for var in VARIABLES if var.required and not values[var.name]]
        if missing:
            raise SettingsError(
                "CreatorDeck cannot start: missing environment variable(s) "
                + ", ".join(missing)
                + ". See the table of variables in README.md."
            )
        return cls(
            stage=_text(values, "CREATORDECK_STAGE"),
            table_prefix=_text(values, "CREATORDECK_TABLE_PREFIX"),
            token_key_id=_text(values, "CREATORDECK_TOKEN_KEY_ID"),
            media_bucket=_text(values, "CREATORDECK_MEDIA_BUCKET"),
            exports_bucket=_text(values, "CREATORDECK_EXPORTS_BUCKET"),
            ingest_queue_url=_text(values, "CREATORDECK_INGEST_QUEUE_URL"),
            publish_queue_url=_text(values, "CREATORDECK_PUBLISH_QUEUE_URL"),
            privacy_queue_url=_text(values, "CREATORDECK_PRIVACY_QUEUE_URL"),
            secrets_id=_text(values, "CREATORDECK_SECRETS_ID"),
            public_base_url=_text(values, "CREATORDECK_PUBLIC_BASE_URL").rstrip("/"),
            max_body_bytes=_positive_int(values, "CREATORDECK_MAX_BODY_BYTES"),
            mail_from=_text(values, "CREATORDECK_MAIL_FROM"),
            lockout_threshold=_positive_int(values, "CREATORDECK_LOCKOUT_THRESHOLD"),
            lockout_minutes=_positive_int(values, "CREATORDECK_LOCKOUT_MINUTES"),
            signin_ip_limit=_positive_int(values, "CREATORDECK_SIGNIN_IP_LIMIT"),
            mail_outbox_dir=values["CREATORDECK_MAIL_OUTBOX_DIR"],
            tiktok_client_key=values["CREATORDECK_TIKTOK_CLIENT_KEY"],
            meta_app_id=values["CREATORDECK_META_APP_ID"],
            threads_app_id=values["CREATORDECK_THREADS_APP_ID"],
            google_client_id=values["CREATORDECK_GOOGLE_CLIENT_ID"],
            meta_graph_version=values["CREATORDECK_META_GRAPH_VERSION"],
            platform_base_urls=_url_map(values, "CREATORDECK_PLATFORM_BASE_URLS"),
            aws_endpoint_url=values["AWS_ENDPOINT_URL"],
            aws_region=_text(values, "AWS_REGION"),
            deauthorized_deletion_delay_days=_days(
                values, "CREATORDECK_DEAUTHORIZED_DELETION_DELAY_DAYS", 30
            ),
            sync_profile_hours=_positive_int(values, "CREATORDECK_SYNC_PROFILE_HOURS"),
            sync_counters_hours=_positive_int(values, "CREATORDECK_SYNC_COUNTERS_HOURS"),
            sync_demographics_hour_utc=_hour(values, "CREATORDECK_SYNC_DEMOGRAPHICS_HOUR_UTC"),
            sync_jitter=_share(values, "CREATORDECK_SYNC_JITTER"),
            vault_epoch_hours=_hours(values, "CREATORDECK_VAULT_EPOCH_HOURS", 1, 168),
            ingest_max_receives=_count(values, "CREATORDECK_INGEST_MAX_RECEIVES", 1, 1000),
            platform_rate_limits=_rate_limits(values, "CREATORDECK_PLATFORM_RATE_LIMITS"),
        )

    def table_name(self, logical_name: str) -> str:
        return f"{self.table_prefix}-{logical_name}"


def variable_names(*, include_local_only: bool = False) -> list[str]:
    """Names of the variables the deployed code reads (for the deploy test and the README)."""
    return [var.name for var in VARIABLES if include_local_only or not var.local_only]


def _text(values: Mapping[str, str | None], name: str) -> str:
    value = values[name]
    assert value is not None  # guaranteed by the required/default check above
    return value


def _url_map(values: Mapping[str, str | None], name: str) -> Mapping[str, str]:
    raw = values[name]
    if not raw:
        return {}
    import json

    try:
        loaded = json.loads(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a JSON object of names to URLs.") from None
    if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
        raise SettingsError(f"{name} must be a JSON object of names to URLs.")
    return {str(key): value for key, value in loaded.items()}


# What a platform's rate limit may set (chalicelib.platforms.rate_limits), and each key's least value.
RATE_LIMIT_KEYS: Final[dict[str, int]] = {"calls": 0, "seconds": 1, "in_flight": 1}  # key -> least value


def _rate_limits(values: Mapping[str, str | None], name: str) -> Mapping[str, Mapping[str, int]]:
    raw = values[name]
    if not raw:
        return {}
    import json

    from chalicelib.domain.platforms import Platform

    platforms = sorted(platform.value for platform in Platform)
    shape = (
        f'{name} must be a JSON object like {{"tiktok": {{"calls": 600, "seconds": 60, "in_flight": 24}}}}'
    )
    try:
        loaded = json.loads(raw)
    except ValueError:
        raise SettingsError(f"{shape}; it is not JSON.") from None
    if not isinstance(loaded, dict):
        raise SettingsError(f"{shape}.")
    limits: dict[str, dict[str, int]] = {}
    for platform, entry in loaded.items():
        if platform not in platforms:
            raise SettingsError(f"{name}: unknown platform {platform!r} (one of {', '.join(platforms)}).")
        if not isinstance(entry, dict):
            raise SettingsError(f"{shape}; {platform!r} is not an object.")
        for key, number in entry.items():
            least = RATE_LIMIT_KEYS.get(key)
            if least is None:
                raise SettingsError(f"{name}: {platform}.{key} is unknown (calls, seconds, in_flight).")
            if isinstance(number, bool) or not isinstance(number, int) or number < least:
                raise SettingsError(
                    f"{name}: {platform}.{key} must be a whole number of at least {least}, got {number!r}."
                )
        limits[platform] = dict(entry)
    return limits


def _positive_int(values: Mapping[str, str | None], name: str) -> int:
    raw = _text(values, name)
    try:
        number = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}.") from None
    if number <= 0:
        raise SettingsError(f"{name} must be positive, got {number}.")
    return number


def _days(values: Mapping[str, str | None], name: str, most: int) -> int:
    raw = _text(values, name)
    if not raw.isdigit() or int(raw) > most:
        raise SettingsError(f"{name} must be a whole number of days from 0 to {most}, got {raw!r}.")
    return int(raw)


def _hour(values: Mapping[str, str | None], name: str) -> int:
    raw = _text(values, name)
    if not raw.isdigit() or int(raw) > 23:
        raise SettingsError(f"{name} must be an hour of the day from 0 to 23 (UTC), got {raw!r}.")
    return int(raw)


def _hours(values: Mapping[str, str | None], name: str, least: int, most: int) -> int:
    raw = _text(values, name)
    if not raw.isdigit() or not least <= int(raw) <= most:
        raise SettingsError(f"{name} must be a whole number of hours from {least} to {most}, got {raw!r}.")
    return int(raw)


def _count(values: Mapping[str, str | None], name: str, least: int, most: int) -> int:
    raw = _text(values, name)
    if not raw.isdigit() or not least <= int(raw) <= most:
        raise SettingsError(f"{name} must be a whole number from {least} to {most}, got {raw!r}.")
    return int(raw)


def _share(values: Mapping[str, str | None], name: str) -> float:
    raw = _text(values, name)
    try:
        share = float(raw)
    except ValueError:
        share = -1.0
    if not 0 <= share <= 1:
        raise SettingsError(f"{name} must be a number from 0 to 1, got {raw!r}.")
    return share
