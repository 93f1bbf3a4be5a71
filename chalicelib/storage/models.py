"""The tables. Each class here defines one DynamoDB table: keys, indexes, TTL.

Entity models (a member, a connection, a snapshot) subclass the table they live
in and add attributes; they never change keys or indexes. Terraform's table
definitions are checked against these classes.
"""

from __future__ import annotations

from typing import Final

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.storage.base import TableModel


class LookupIndex(GlobalSecondaryIndex["TableModel"]):
    """``gsi1``: a secondary ``gsi1pk``/``gsi1sk`` pair for lookups by another key."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class SyncDueIndex(GlobalSecondaryIndex["TableModel"]):
    """``sync_due``: connections by shard and next sync time, so dispatch never scans."""

    class Meta:
        index_name = "sync_due"
        projection = AllProjection()

    sync_shard = UnicodeAttribute(hash_key=True)
    next_sync_at = NumberAttribute(range_key=True)


class AccountsTable(TableModel):
    """Workspaces, members, invitations, sessions and API keys.

    pk ``WORKSPACE#id`` with sk ``WORKSPACE`` / ``MEMBER#id`` / ``INVITATION#id``;
    pk ``MEMBER#id`` for a member's sessions and keys.
    gsi1: ``EMAIL#address`` (sign-in), ``APIKEY#prefix`` and ``INVITE#hash`` lookups; ``MEMBER#id``
    (a member's sessions, API keys and password resets).
    """

    logical_name = "accounts"

    class Meta(TableModel.Meta):
        """Own Meta per table: bind_tables() names each table separately."""

    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi1 = LookupIndex()


class ConnectionsTable(TableModel):
    """Connected platform accounts and OAuth states.

    pk ``WORKSPACE#id``, sk ``CONNECTION#id``; pk ``OAUTHSTATE#hash`` (10 min TTL); pk ``VAULT#KEYRING``,
    sk ``EPOCH#start`` (the token vault's shared data keys, TTL after their epoch).
    gsi1: ``PLATFORMUSER#platform#user_id`` (deauthorize and deletion callbacks), ``MEMBER#id``
    (a member's OAuth states and Meta choices, for deletion).
    sync_due: ``SHARD#n`` by ``next_sync_at`` (ingest dispatch).
    """

    logical_name = "connections"

    class Meta(TableModel.Meta):
        """Own Meta per table: bind_tables() names each table separately."""

    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    sync_shard = UnicodeAttribute(null=True)
    next_sync_at = NumberAttribute(null=True)
    gsi1 = LookupIndex()
    sync_due = SyncDueIndex()


class MetricsTable(TableModel):
    """Time series snapshots: profile counters, post counters, demographics.

    pk ``CONNECTION#id#KIND``, sk the snapshot's time window (ISO date or hour),
    so a redelivered sync writes the same keys. Read as one Query per series.
    """

    logical_name = "metrics"

    class Meta(TableModel.Meta):
        """Own Meta per table: bind_tables() names each table separately."""


class PostsTable(TableModel):
    """Posts (ingested and scheduled) and their publish targets.

    pk ``CONNECTION#id``, sk ``POST#id``; pk ``WORKSPACE#id``, sk ``SCHEDULED#due#id``.
    gsi1: ``DUE#shard`` by due time (publish dispatch).
    """

    logical_name = "posts"

    class Meta(TableModel.Meta):
        """Own Meta per table: bind_tables() names each table separately."""

    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi1 = LookupIndex()


class AuditTable(TableModel):
    """Audit entries, kept one year.

    pk ``WORKSPACE#id``, sk ``AUDIT#time#id``; gsi1 ``ACTOR#id`` by time.
    """

    logical_name = "audit"

    class Meta(TableModel.Meta):
        """Own Meta per table: bind_tables() names each table separately."""

    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi1 = LookupIndex()


class PrivacyTable(TableModel):
    """Deletion and export requests and webhook replay markers (see storage/privacy.py).

    pk ``DELETION#code``, ``EXPORT#id``, ``WEBHOOK#sha256`` (replay window TTL).
    gsi1: ``DELETIONS#OPEN`` by due time (pending deletions), ``REQUESTER#member`` by time (exports).
    """

    logical_name = "privacy"

    class Meta(TableModel.Meta):
        """Own Meta per table: bind_tables() names each table separately."""

    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi1 = LookupIndex()


TABLES: Final[tuple[type[TableModel], ...]] = (
    AccountsTable,
    ConnectionsTable,
    MetricsTable,
    PostsTable,
    AuditTable,
    PrivacyTable,
)
