"""The one composition root: builds clients, repositories and services, once.

Nothing here runs at import. ``services()`` builds everything on first use and
caches it for the life of the Lambda container; tests call ``reset()`` after
changing the environment.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.settings import Settings

if TYPE_CHECKING:
    import ssl

    import httpx

    from chalicelib.domain.platforms import Platform
    from chalicelib.platforms.base import Flow, PlatformProvider
    from chalicelib.platforms.config import PlatformConfig
    from chalicelib.platforms.http import AsyncPlatformClient, PlatformClient
    from chalicelib.platforms.rate_limits import RateLimits
    from chalicelib.platforms.registry import ProviderRegistry
    from chalicelib.security.access_tokens import AccessTokens
    from chalicelib.security.vault import TokenVault
    from chalicelib.services.alerts import AlertService
    from chalicelib.services.api_keys import ApiKeyService
    from chalicelib.services.audit import AuditLog
    from chalicelib.services.auth import AuthService
    from chalicelib.services.connections import ConnectionService
    from chalicelib.services.dashboard import DashboardService
    from chalicelib.services.erasure import PrivacyWorker, RetentionSweep
    from chalicelib.services.health import HealthService
    from chalicelib.services.ingest_dispatch import IngestDispatcher
    from chalicelib.services.ingestion import IngestionService
    from chalicelib.services.mail import Mailer
    from chalicelib.services.privacy import PrivacyService
    from chalicelib.services.token_refresh import TokenRefreshSweep
    from chalicelib.services.workspace_closure import WorkspaceClosureService
    from chalicelib.services.workspace_settings import WorkspaceSettingsService
    from chalicelib.services.workspaces import WorkspaceService
    from chalicelib.storage.workspace_closure import WorkspaceClosures


class AwsClients:
    """boto3 clients for one configuration, each built on first use."""

    def __init__(self, settings: Settings, *, connect_timeout: float = 2, read_timeout: float = 5) -> None:
        self._settings = settings
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout

    @property
    def _session(self) -> Any:
        return _boto3_session(self._settings.aws_region)

    @functools.cache  # noqa: B019 - the instance lives as long as the process, by design
    def client(self, service: str) -> Any:
        from botocore.config import Config

        config = Config(
            connect_timeout=self._connect_timeout,
            read_timeout=self._read_timeout,
            retries={"max_attempts": 3, "mode": "standard"},
            # SigV4 presigned URLs: the only kind S3 accepts for SSE-KMS objects (exports, media).
            signature_version="s3v4" if service == "s3" else None,
        )
        return self._session.client(service, endpoint_url=self._settings.aws_endpoint_url, config=config)


class AppSecrets:
    """The app secret in Secrets Manager, read once per container on first use."""

    def __init__(self, aws: AwsClients, secret_id: str) -> None:
        self._aws = aws
        self._secret_id = secret_id

    @functools.cached_property
    def values(self) -> dict[str, Any]:
        import json

        raw = self._aws.client("secretsmanager").get_secret_value(SecretId=self._secret_id)["SecretString"]
        loaded: dict[str, Any] = json.loads(raw)
        return loaded

    @functools.cached_property
    def access_tokens(self) -> AccessTokens:
        from chalicelib.security.access_tokens import AccessTokens
        from chalicelib.security.secret import Secret

        return AccessTokens(Secret(str(self.values["session_signing_key"])))


# Requests in flight to the platforms from one ingest worker invocation: a batch is 10 records, and a
# record's calls go two at a time (profile and posts, counters in pages), so 32 never hold one back.
INGEST_CONCURRENCY = 32

# Which app-secret key holds each platform's client secret, and which setting its client id.
_PLATFORM_APPS: dict[str, tuple[str, str]] = {
    "tiktok": ("tiktok_client_key", "tiktok_client_secret"),
    "facebook": ("meta_app_id", "meta_app_secret"),
    "instagram": ("meta_app_id", "meta_app_secret"),
    "threads": ("threads_app_id", "threads_app_secret"),
    "youtube": ("google_client_id", "google_client_secret"),
}


class PlatformRuntime:
    """The platform providers and the HTTP client that runs them, built on first use.

    ``transport``, ``sleep`` and ``clock`` are the test seams: functional tests pass the simulator's
    ``httpx.MockTransport``, a sleep that only records and, to run rate limits on simulated time,
    the simulator's clock (advanced by that sleep).
    """

    def __init__(
        self,
        settings: Settings,
        secrets: AppSecrets,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Any = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._settings = settings
        self._secrets = secrets
        self._transport = transport
        self._sleep = sleep
        self._clock = clock

    def configs(self) -> list[PlatformConfig]:
        from chalicelib.domain.platforms import Platform
        from chalicelib.platforms.config import PlatformConfig
        from chalicelib.security.secret import Secret

        configs = []
        for platform in Platform:
            id_setting, secret_key = _PLATFORM_APPS[platform.value]
            client_id = getattr(self._settings, id_setting)
            if not client_id:
                continue
            secret = self._secrets.values.get(secret_key)
            if not secret:
                continue  # a client id without its secret: not connectable here
            configs.append(
                PlatformConfig(
                    platform=platform,
                    client_id=client_id,
                    client_secret=Secret(str(secret)),
                    redirect_uri=f"{self._settings.public_base_url}/api/oauth/{platform.value}/callback",
                    base_urls=dict(self._settings.platform_base_urls),
                    api_version=self._settings.meta_graph_version
                    if platform in (Platform.FACEBOOK, Platform.INSTAGRAM)
                    else None,
                )
            )
        return configs

    @functools.cached_property
    def registry(self) -> ProviderRegistry:
        from chalicelib.platforms.registry import build_providers

        return build_providers(self.configs())

    @functools.cached_property
    def client(self) -> PlatformClient:
        import httpx

        from chalicelib.platforms.http import PlatformClient, RetryPolicy

        # On a request path a platform may make us wait only briefly; longer waits become
        # "try again" pages or the next sweep.
        policy = RetryPolicy(max_attempts=3, max_sleep=3.0)
        http = httpx.Client(transport=self._transport, follow_redirects=False)
        if self._sleep is not None:
            return PlatformClient(http, policy, sleep=self._sleep)
        return PlatformClient(http, policy)

    def provider(self, platform: Platform) -> PlatformProvider | None:
        registry = self.registry
        return registry.get(platform) if platform in registry else None

    @functools.cached_property
    def _tls(self) -> ssl.SSLContext:
        """Loading the CA bundle costs tens of milliseconds: once per container, not per invocation."""
        import ssl

        import certifi

        return ssl.create_default_context(cafile=certifi.where())

    @functools.cached_property
    def rate_limits(self) -> RateLimits:
        """The ingest worker's buckets, for the life of the container: each invocation's client shares
        them, so a limit holds across batches (see chalicelib/platforms/rate_limits.py)."""
        import time

        from chalicelib.platforms.rate_limits import RateLimits, limits_from_settings

        limits = limits_from_settings(self._settings.platform_rate_limits)
        return RateLimits(limits, self._clock or time.monotonic)

    def open_async(self) -> tuple[AsyncPlatformClient, Callable[[], Awaitable[None]]]:
        """A new async client for one worker invocation, and how to close it (in the same event loop)."""
        import httpx

        from chalicelib.platforms.http import AsyncPlatformClient, RetryPolicy

        http = httpx.AsyncClient(
            transport=self._transport,  # type: ignore[arg-type]  # MockTransport serves both kinds
            follow_redirects=False,
            limits=httpx.Limits(max_connections=INGEST_CONCURRENCY),
            verify=self._tls,
        )
        policy = RetryPolicy(max_attempts=4, max_sleep=20.0)
        seams: dict[str, Any] = {"clock": self._clock} if self._clock is not None else {}
        if self._sleep is not None:
            record = self._sleep

            async def sleep(seconds: float) -> None:
                record(seconds)

            seams["sleep"] = sleep
        client = AsyncPlatformClient(
            http, policy, max_concurrency=INGEST_CONCURRENCY, rate_limits=self.rate_limits, **seams
        )
        return client, http.aclose

    def run(self, flow: Flow[object], deadline_seconds: float | None = None) -> object:
        client = self.client
        deadline = client.deadline(deadline_seconds) if deadline_seconds is not None else None
        return client.run(flow, deadline)


@functools.cache
def _boto3_session(region: str) -> Any:
    """One session per process and region: its loaded service models are shared by every client."""
    import boto3

    return boto3.session.Session(region_name=region)


@dataclass(frozen=True)
class Services:
    settings: Settings
    aws: AwsClients
    health: HealthService
    audit: AuditLog
    workspaces: WorkspaceService
    auth: AuthService
    api_keys: ApiKeyService
    mailer: Mailer
    connections: ConnectionService
    token_refresh: TokenRefreshSweep
    platforms: PlatformRuntime
    ingestion: IngestionService
    ingest_dispatcher: IngestDispatcher
    privacy: PrivacyService
    privacy_worker: PrivacyWorker
    retention_sweep: RetentionSweep
    workspace_settings: WorkspaceSettingsService
    workspace_closure: WorkspaceClosureService
    dashboard: DashboardService
    alerts: AlertService


def build_vault(settings: Settings, aws: AwsClients) -> TokenVault:
    """The token vault on the shared key ring: every container seals under the epoch's one data key."""
    from chalicelib.security.vault import KeyRing, TokenVault
    from chalicelib.storage.vault_keys import VaultKeyRing

    ring = KeyRing(VaultKeyRing(), epoch_seconds=settings.vault_epoch_hours * 3600)
    return TokenVault(aws.client("kms"), settings.token_key_id, ring=ring)


def build_mailer(settings: Settings, aws: AwsClients) -> Mailer:
    if settings.mail_outbox_dir:
        from pathlib import Path

        from chalicelib.storage.mailers import OutboxMailer

        return OutboxMailer(Path(settings.mail_outbox_dir), settings.mail_from)
    from chalicelib.storage.mailers import SesMailer

    return SesMailer(aws.client("ses"), settings.mail_from)


def build_privacy(
    settings: Settings,
    aws: AwsClients,
    secrets: AppSecrets,
    accounts: Any,
    connection_store: Any,
    connections: ConnectionService,
    audit: AuditLog,
    clock: Any,
) -> tuple[PrivacyService, PrivacyWorker, RetentionSweep]:
    """Deletion and export: the callbacks' intake, the privacy worker and the retention sweep."""
    from datetime import timedelta

    from chalicelib.security.secret import Secret
    from chalicelib.services.erasure import PrivacyWorker, RetentionSweep
    from chalicelib.services.privacy import PrivacyService
    from chalicelib.storage.disconnections import Disconnections
    from chalicelib.storage.export_links import ExportLinks
    from chalicelib.storage.objects import PersonalObjects
    from chalicelib.storage.personal_data import PersonalData
    from chalicelib.storage.privacy import PrivacyRepository
    from chalicelib.storage.privacy_queue import SqsPrivacyQueue

    store = PrivacyRepository()

    def queue() -> SqsPrivacyQueue:
        return SqsPrivacyQueue(aws.client("sqs"), settings.privacy_queue_url)

    def secret(name: str) -> Secret | None:
        value = secrets.values.get(name)
        return Secret(str(value)) if value else None

    intake = PrivacyService(
        store,
        connection_store,
        accounts,
        connection_store,  # also the index of Meta accounts (a Page removing the app)
        Disconnections(),
        connections,
        queue,
        lambda: ExportLinks(aws.client("s3"), settings.exports_bucket),
        secret,
        audit,
        public_base_url=settings.public_base_url,
        tiktok_client_key=settings.tiktok_client_key,
        deauthorized_delay=timedelta(days=settings.deauthorized_deletion_delay_days),
        clock=clock,
    )
    worker = PrivacyWorker(
        store,
        PersonalData(),
        lambda: PersonalObjects(aws.client("s3"), settings.media_bucket, settings.exports_bucket),
        connection_store,
        connections,
        audit,
        clock,
    )
    return intake, worker, RetentionSweep(store, queue, clock)


def build_dashboard(accounts: Any, clock: Any) -> DashboardService:
    from chalicelib.services.dashboard import DashboardService
    from chalicelib.storage.dashboard import DashboardReads

    return DashboardService(DashboardReads(), accounts, clock)


def build_alerts(connection_store: Any, clock: Any) -> AlertService:
    from chalicelib.services.alerts import AlertService
    from chalicelib.storage.alerts import AlertRepository

    return AlertService(AlertRepository(), connection_store, clock)


def build_closures() -> WorkspaceClosures:
    from chalicelib.storage.workspace_closure import WorkspaceClosures

    return WorkspaceClosures()


def build_workspace_closure(
    accounts: Any,
    closures: WorkspaceClosures,
    connection_store: Any,
    connections: ConnectionService,
    privacy: PrivacyService,
    clock: Any,
) -> WorkspaceClosureService:
    """Closing a workspace: sign everyone out, let the platforms go, delete it all 30 days later."""
    from chalicelib.services.workspace_closure import WorkspaceClosureService
    from chalicelib.storage.disconnections import Disconnections

    return WorkspaceClosureService(
        accounts, closures, connection_store, connections, Disconnections(), privacy, clock
    )


def build_services(
    settings: Settings,
    *,
    platform_transport: httpx.BaseTransport | None = None,
    platform_sleep: Any = None,
    platform_clock: Callable[[], float] | None = None,
) -> Services:
    from datetime import UTC, datetime, timedelta

    from chalicelib.domain.sync_cadence import Cadences
    from chalicelib.security.passwords import PasswordHasher
    from chalicelib.services.alert_notifications import AlertNotifications
    from chalicelib.services.api_keys import ApiKeyService
    from chalicelib.services.audit import AuditLog
    from chalicelib.services.auth import AuthService, BruteForcePolicy
    from chalicelib.services.connections import ConnectionService
    from chalicelib.services.health import HealthService
    from chalicelib.services.ingest_dispatch import Cadence, IngestDispatcher
    from chalicelib.services.ingestion import IngestionRules, IngestionService
    from chalicelib.services.sync_targets import ConnectionSyncTargets
    from chalicelib.services.token_refresh import TokenRefreshSweep
    from chalicelib.services.workspace_settings import WorkspaceSettingsService
    from chalicelib.services.workspaces import WorkspaceService
    from chalicelib.storage.account_rollup_writes import WorkerRollups
    from chalicelib.storage.accounts import AccountsRepository
    from chalicelib.storage.audit import AuditRepository
    from chalicelib.storage.aws_probes import DynamoDbProbe, KmsProbe, S3Probe, SqsProbe
    from chalicelib.storage.base import bind_tables
    from chalicelib.storage.connections import ConnectionsRepository
    from chalicelib.storage.metrics import SnapshotRepository
    from chalicelib.storage.models import AccountsTable
    from chalicelib.storage.posts import PostRepository
    from chalicelib.storage.sync_reads import SyncReads
    from chalicelib.storage.sync_schedule import SyncSchedule

    def clock() -> datetime:
        return datetime.now(UTC)

    bind_tables(settings)
    aws = AwsClients(settings)
    secrets = AppSecrets(aws, settings.secrets_id)
    accounts = AccountsRepository(clock)
    audit = AuditLog(AuditRepository(), clock)
    passwords = PasswordHasher()
    mailer = build_mailer(settings, aws)
    # Health checks get their own fail-fast clients: a down dependency must not hold the request.
    probing = AwsClients(settings, connect_timeout=1, read_timeout=2)
    health = HealthService(
        [
            DynamoDbProbe(probing.client("dynamodb"), settings.table_name(AccountsTable.logical_name)),
            KmsProbe(probing.client("kms"), settings.token_key_id),
            S3Probe(probing.client("s3"), settings.media_bucket),
            SqsProbe(probing.client("sqs"), settings.ingest_queue_url),
        ]
    )
    policy = BruteForcePolicy(
        lockout_threshold=settings.lockout_threshold,
        lockout=timedelta(minutes=settings.lockout_minutes),
        ip_limit=settings.signin_ip_limit,
    )
    platforms = PlatformRuntime(
        settings, secrets, transport=platform_transport, sleep=platform_sleep, clock=platform_clock
    )
    connection_store = ConnectionsRepository(clock)
    vault_holder: list[TokenVault] = []

    def vault() -> TokenVault:
        if not vault_holder:
            vault_holder.append(build_vault(settings, aws))
        return vault_holder[0]

    def ingest_queue() -> Any:
        from chalicelib.storage.queues import SqsIngestQueue

        return SqsIngestQueue(aws.client("sqs"), settings.ingest_queue_url)

    @functools.cache  # one SQS client for the container's follow-ups and delays, built on first use
    def ingest_messages() -> Any:
        from chalicelib.storage.ingest_messages import SqsIngestMessages

        return SqsIngestMessages(aws.client("sqs"), settings.ingest_queue_url)

    schedule = SyncSchedule()
    cadences = Cadences(
        profile_every=timedelta(hours=settings.sync_profile_hours),
        counters_every=timedelta(hours=settings.sync_counters_hours),
        demographics_hour_utc=settings.sync_demographics_hour_utc,
        jitter=settings.sync_jitter,
    )
    alert_emails = AlertNotifications(accounts, mailer, settings.public_base_url)
    connections = ConnectionService(
        connection_store,
        accounts,
        vault,
        lambda: platforms,
        ingest_queue,
        audit,
        alert_emails,
        settings.public_base_url,
        clock,
    )
    privacy, privacy_worker, retention_sweep = build_privacy(
        settings, aws, secrets, accounts, connection_store, connections, audit, clock
    )
    closures = build_closures()
    return Services(
        settings=settings,
        aws=aws,
        health=health,
        audit=audit,
        workspaces=WorkspaceService(accounts, passwords, mailer, audit, settings.public_base_url, clock),
        auth=AuthService(
            accounts,
            passwords,
            lambda: secrets.access_tokens,
            mailer,
            audit,
            policy,
            settings.public_base_url,
            clock,
            closures=closures,
        ),
        api_keys=ApiKeyService(accounts, audit, clock),
        mailer=mailer,
        connections=connections,
        token_refresh=TokenRefreshSweep(connection_store, connections, clock),
        platforms=platforms,
        ingestion=IngestionService(
            ConnectionSyncTargets(connection_store, schedule, connections, alert_emails),
            SnapshotRepository(),
            PostRepository(),
            platforms.provider,
            clock,
            WorkerRollups(),
            rules=IngestionRules(cadences=cadences),
            workspaces=accounts,
            reads=SyncReads(),
            messages=ingest_messages,
        ),
        # A claim holds a connection for one counters cadence: a sync that fails for good comes back then.
        ingest_dispatcher=IngestDispatcher(
            schedule, ingest_queue(), clock, Cadence(every=cadences.counters_every)
        ),
        privacy=privacy,
        privacy_worker=privacy_worker,
        retention_sweep=retention_sweep,
        workspace_settings=WorkspaceSettingsService(accounts, audit),
        workspace_closure=build_workspace_closure(
            accounts, closures, connection_store, connections, privacy, clock
        ),
        dashboard=build_dashboard(accounts, clock),
        alerts=build_alerts(connection_store, clock),
    )


# Test seams for the platform HTTP client (see PlatformRuntime); empty in every deployed process.
_platform_wiring: dict[str, Any] = {}


@functools.cache
def services() -> Services:
    return build_services(Settings.from_env(), **_platform_wiring)


def reset(
    *,
    platform_transport: httpx.BaseTransport | None = None,
    platform_sleep: Any = None,
    platform_clock: Callable[[], float] | None = None,
) -> None:
    """Forget everything built, so the next ``services()`` reads the environment anew.

    Tests may pass the platform transport (the simulator's ``httpx.MockTransport``), a sleep and the
    clock the platform client's rate limits run on.
    """
    _platform_wiring.clear()
    if platform_transport is not None:
        _platform_wiring["platform_transport"] = platform_transport
    if platform_sleep is not None:
        _platform_wiring["platform_sleep"] = platform_sleep
    if platform_clock is not None:
        _platform_wiring["platform_clock"] = platform_clock
    services.cache_clear()
