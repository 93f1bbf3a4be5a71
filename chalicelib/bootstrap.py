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
    from chalicelib.services.health import HealthService


class AwsClients:
    """boto3 clients for one configuration, each built on first use."""

    def __init__(self, settings: Settings, *, connect_timeout: float = 2, read_timeout: float = 5) -> None:
        self._settings = settings
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout

    @functools.cached_property
    def _session(self) -> Any:
        import boto3

        return boto3.session.Session(region_name=self._settings.aws_region)

    @functools.cache  # noqa: B019 - the instance lives as long as the process, by design
    def client(self, service: str) -> Any:
        from botocore.config import Config

        config = Config(
            connect_timeout=self._connect_timeout,
            read_timeout=self._read_timeout,
            retries={"max_attempts": 3, "mode": "standard"},
        )
        return self._session.client(service, endpoint_url=self._settings.aws_endpoint_url, config=config)


@dataclass(frozen=True)
class Services:
    settings: Settings
    aws: AwsClients
    health: HealthService


def build_services(settings: Settings) -> Services:
    from chalicelib.services.health import HealthService
    from chalicelib.storage.aws_probes import DynamoDbProbe, KmsProbe, S3Probe, SqsProbe
    from chalicelib.storage.base import bind_tables
    from chalicelib.storage.models import AccountsTable

    bind_tables(settings)
    aws = AwsClients(settings)
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
    return Services(settings=settings, aws=aws, health=health)


@functools.cache
def services() -> Services:
    return build_services(Settings.from_env())


def reset() -> None:
    """Forget everything built, so the next ``services()`` reads the environment anew."""
    services.cache_clear()
