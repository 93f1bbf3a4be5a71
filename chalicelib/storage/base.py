"""Conventions every table follows.

* Table names and the endpoint come from Settings at bootstrap (``bind_tables``),
  never at import, so tests can point the same classes at another place.
* Keys are strings ``ENTITY#id`` in ``pk``/``sk``; a model's docstring states its
  key pattern and the access patterns it serves.
* ``expires_at`` (epoch seconds) is the TTL attribute on every table. DynamoDB
  deletes expired items up to days late and moto never does, so reads go through
  ``is_live`` / ``live_condition`` and an expired item is never returned.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar, Final, TypeVar

from pynamodb.attributes import TTLAttribute as _TTLAttribute
from pynamodb.attributes import UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist
from pynamodb.models import Model

if TYPE_CHECKING:
    from pynamodb.expressions.condition import Condition

    from chalicelib.settings import Settings

TTL_ATTRIBUTE = "expires_at"
_M = TypeVar("_M", bound="TableModel")


class TableModel(Model):
    """Base of every table: ``pk``/``sk`` string keys and the ``expires_at`` TTL.

    Subclasses that define a table set ``logical_name``; entity models subclass a
    table model and add attributes, sharing its table.
    """

    logical_name: ClassVar[str] = ""

    class Meta:
        # Filled in by bind_tables(); a model used before binding fails loudly.
        table_name = "unbound"
        region = "us-east-1"
        host: str | None = None
        connect_timeout_seconds = 2
        read_timeout_seconds = 5
        max_retry_attempts = 3

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    expires_at = _TTLAttribute(null=True)

    def is_live(self, now: datetime | None = None) -> bool:
        return is_live(self.expires_at, now)


def is_live(expires_at: datetime | None, now: datetime | None = None) -> bool:
    """True unless the item's retention window has passed."""
    if expires_at is None:
        return True
    return expires_at > (now or datetime.now(UTC))


def live_condition(model: type[TableModel], now: datetime | None = None) -> Condition:
    """Filter for Query/Scan that drops items whose TTL has passed but that DynamoDB still holds."""
    condition: Condition = model.expires_at.does_not_exist() | (model.expires_at > (now or datetime.now(UTC)))
    return condition


def get_live(model: type[_M], pk: str, sk: str) -> _M | None:
    """One item by key, read consistently; None when absent or past its retention."""
    try:
        item = model.get(pk, sk, consistent_read=True)
    except DoesNotExist:
        return None
    return item if item.is_live() else None


def is_conditional_failure(exc: Exception) -> bool:
    """True when a write was refused by its condition (alone or inside a transaction)."""
    code = getattr(exc, "cause_response_code", None)
    return code in ("ConditionalCheckFailedException", "TransactionCanceledException")


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def shared_connection() -> Connection:
    """The DynamoDB connection bind_tables() gave every model, for transactions across them."""
    connection: Connection = table_models()[0]._get_connection().connection
    return connection


def table_models() -> list[type[TableModel]]:
    """Every table-defining model (the source of truth for table creation and Terraform)."""
    from chalicelib.storage import models  # imported here: defining models is not free

    return list(models.TABLES)


# Connections kept open to DynamoDB: the ingest worker has up to 32 storage calls in flight.
MAX_POOL_CONNECTIONS: Final = 32


def bind_tables(settings: Settings) -> None:
    """Point every model at the stage's tables and endpoint, all sharing one DynamoDB client.

    PynamoDB gives each model class its own connection and so its own botocore client,
    and building one costs tens of milliseconds of JSON loading; with a dozen entity
    models that is a slow first request. Every table connection here shares one.
    """
    shared = Connection(
        region=settings.aws_region,
        host=settings.aws_endpoint_url,
        connect_timeout_seconds=TableModel.Meta.connect_timeout_seconds,
        read_timeout_seconds=TableModel.Meta.read_timeout_seconds,
        max_retry_attempts=TableModel.Meta.max_retry_attempts,
        max_pool_connections=MAX_POOL_CONNECTIONS,
    )
    for table in table_models():
        table.Meta.table_name = settings.table_name(table.logical_name)
        table.Meta.region = settings.aws_region
        table.Meta.host = settings.aws_endpoint_url
        for model in _with_subclasses(table):
            # A cached connection would keep the old endpoint; the new one reuses the shared client.
            model._connection = None
            table_connection = model._get_connection()
            if model is table:
                shared.add_meta_table(table_connection.get_meta_table())
            table_connection.connection = shared


def _with_subclasses(model: type[Model]) -> Iterator[type[Model]]:
    yield model
    for subclass in model.__subclasses__():
        yield from _with_subclasses(subclass)
