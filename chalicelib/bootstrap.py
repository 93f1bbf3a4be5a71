"""The one composition root: builds clients, repositories and services, once.

Nothing here runs at import. ``services()`` builds everything on first use and
caches it for the life of the Lambda container; tests call ``reset()`` after
changing the environment.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.settings import Settings

if TYPE_CHECKING:
    from chalicelib.security.access_tokens import AccessTokens
    from chalicelib.services.api_keys import ApiKeyService
    from chalicelib.services.audit import AuditLog
    from chalicelib.services.auth import AuthService
    from chalicelib.services.health import HealthService
    from chalicelib.services.mail import Mailer
    from chalicelib.services.workspaces import WorkspaceService


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


def build_mailer(settings: Settings, aws: AwsClients) -> Mailer:
    if settings.mail_outbox_dir:
        from pathlib import Path

        from chalicelib.storage.mailers import OutboxMailer

        return OutboxMailer(Path(settings.mail_outbox_dir), settings.mail_from)
    from chalicelib.storage.mailers import SesMailer

    return SesMailer(aws.client("ses"), settings.mail_from)


def build_services(settings: Settings) -> Services:
    from datetime import UTC, datetime, timedelta

    from chalicelib.security.passwords import PasswordHasher
    from chalicelib.services.api_keys import ApiKeyService
    from chalicelib.services.audit import AuditLog
    from chalicelib.services.auth import AuthService, BruteForcePolicy
    from chalicelib.services.health import HealthService
    from chalicelib.services.workspaces import WorkspaceService
    from chalicelib.storage.accounts import AccountsRepository
    from chalicelib.storage.audit import AuditRepository
    from chalicelib.storage.aws_probes import DynamoDbProbe, KmsProbe, S3Probe, SqsProbe
    from chalicelib.storage.base import bind_tables
    from chalicelib.storage.models import AccountsTable

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
        ),
        api_keys=ApiKeyService(accounts, audit, clock),
        mailer=mailer,
    )


@functools.cache
def services() -> Services:
    return build_services(Settings.from_env())


def reset() -> None:
    """Forget everything built, so the next ``services()`` reads the environment anew."""
    services.cache_clear()
