"""Connections, OAuth states, Meta account choices, refresh schedule and alerts, in the connections table.

Key patterns (table ``connections``):

========================  ==========================  ===================================
item                      pk                          sk
========================  ==========================  ===================================
connection                WORKSPACE#<id>              CONNECTION#<id>
refresh schedule entry    REFRESHDUE#<n>              <due epoch, 12 digits>#<ws>#<conn>
OAuth state (10 min TTL)  OAUTHSTATE#<sha256(state)>  OAUTHSTATE    (gsi1 MEMBER#<member>)
Meta choice (10 min TTL)  PENDING#<id>                PENDING       (gsi1 MEMBER#<member>)
alert (90 d TTL)          WORKSPACE#<id>              ALERT#<iso time>#<id>
========================  ==========================  ===================================

A connection also has gsi1 ``PLATFORMUSER#<platform>#<user id>`` and, while it syncs, sync_due
``SHARD#<n>`` / ``next_sync_at``. A Facebook or Instagram connection also has an account lookup item
``ACCOUNT#<platform>#<account id>`` / ``CONNECTION#<ws>#<id>`` (storage/platform_accounts.py), saved and
deleted in the same transaction as the connection.

Access patterns: a workspace's connections (Query pk, sk ``CONNECTION#``); one connection (GetItem);
connections of a platform user for deauthorize/deletion callbacks (Query gsi1) or of a Page removing
the app (Query ``ACCOUNT#...``); connections whose
tokens are due for renewal (Query each ``REFRESHDUE#<n>`` shard up to now: the schedule entries are a
hand-kept index, written in the same transaction as the tokens, because a GSI key cannot be both the
ingest schedule and the refresh schedule); connections due for a sync (Query ``sync_due``; removing
``sync_shard``/``next_sync_at`` stops a connection's syncs). Tokens are stored only as vault envelopes.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Final, TypeVar

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.connections import (
    Alert,
    CallbackFailure,
    Connection,
    ConnectionStatus,
    OAuthState,
    PendingAccount,
    PendingChoice,
    SealedTokens,
    refresh_due_at,
)
from chalicelib.domain.platforms import Platform
from chalicelib.domain.summary import AccountStats
from chalicelib.security.tokens import same_hash
from chalicelib.storage.base import TableModel, epoch, get_live, is_conditional_failure, shared_connection
from chalicelib.storage.models import ConnectionsTable
from chalicelib.storage.platform_accounts import account_lookup_item, connections_of_account

Clock = Callable[[], datetime]
_M = TypeVar("_M", bound=TableModel)

SHARDS: Final = 4
ALERT_RETENTION: Final = timedelta(days=90)
SYNC_INTERVAL: Final = timedelta(hours=6)


class ConnectionItem(ConnectionsTable):
    connection_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    platform = UnicodeAttribute()
    account_id = UnicodeAttribute()
    account_name = UnicodeAttribute()
    owner_member_id = UnicodeAttribute()
    status = UnicodeAttribute()
    status_reason = UnicodeAttribute(null=True)
    scopes = UnicodeAttribute(default="[]")
    missing_scopes = UnicodeAttribute(default="[]")
    platform_user_id = UnicodeAttribute()
    connected_at = UTCDateTimeAttribute()
    refreshed_at = UTCDateTimeAttribute(null=True)
    last_sync_at = UTCDateTimeAttribute(null=True)
    demographics_at = UTCDateTimeAttribute(null=True)
    profile_synced_at = UTCDateTimeAttribute(null=True)
    counters_synced_at = UTCDateTimeAttribute(null=True)
    token_version = NumberAttribute(default=0)
    access_envelope = UnicodeAttribute()
    refresh_envelope = UnicodeAttribute(null=True)
    access_expires_at = UTCDateTimeAttribute(null=True)
    refresh_expires_at = UTCDateTimeAttribute(null=True)
    token_account_id = UnicodeAttribute(null=True)
    refresh_due_sk = UnicodeAttribute(null=True)
    refresh_lease = UnicodeAttribute(null=True)  # who is refreshing now (one refresher at a time)
    refresh_lease_until = NumberAttribute(null=True)
    summary = UnicodeAttribute(null=True)  # AccountStats JSON, rewritten after each sync
    rollup_at = UTCDateTimeAttribute(null=True)  # when the account's rollup was last written


class RefreshDueItem(ConnectionsTable):
    workspace_id = UnicodeAttribute()
    connection_id = UnicodeAttribute()


class OAuthStateItem(ConnectionsTable):
    workspace_id = UnicodeAttribute()
    member_id = UnicodeAttribute()
    platform = UnicodeAttribute()
    redirect_uri = UnicodeAttribute()
    scopes = UnicodeAttribute(default="[]")
    verifier_envelope = UnicodeAttribute(null=True)
    browser_hash = UnicodeAttribute(null=True)  # SHA-256 of the start's browser key (cookie)
    used_at = UTCDateTimeAttribute(null=True)


class PendingItem(ConnectionsTable):
    workspace_id = UnicodeAttribute()
    member_id = UnicodeAttribute()
    platform = UnicodeAttribute()
    accounts = UnicodeAttribute()  # JSON; tokens in it are vault envelopes
    used_at = UTCDateTimeAttribute(null=True)


class AlertItem(ConnectionsTable):
    alert_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    connection_id = UnicodeAttribute()
    platform = UnicodeAttribute()
    account_name = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    post_id = UnicodeAttribute(null=True)
    views_multiple = NumberAttribute(null=True)
    follower_change_pct = NumberAttribute(null=True)
    followers = NumberAttribute(null=True)
    acknowledged_at = UTCDateTimeAttribute(null=True)
    acknowledged_by = UnicodeAttribute(null=True)


def _shard(connection_id: str) -> int:
    return zlib.crc32(connection_id.encode()) % SHARDS


def _due_key(connection: Connection, due: datetime) -> str:
    return f"{epoch(due):012d}#{connection.workspace_id}#{connection.id}"


class ConnectionsRepository:
    def __init__(self, clock: Clock | None = None) -> None:
        self._now = clock or (lambda: datetime.now(UTC))

    # --- OAuth states -------------------------------------------------------------------------

    def put_state(self, state: OAuthState) -> None:
        OAuthStateItem(
            f"OAUTHSTATE#{state.state_hash}",
            "OAUTHSTATE",
            gsi1pk=f"MEMBER#{state.member_id}",  # so a deletion finds it before its TTL does
            gsi1sk=f"OAUTHSTATE#{state.state_hash}",
            workspace_id=state.workspace_id,
            member_id=state.member_id,
            platform=state.platform.value,
            redirect_uri=state.redirect_uri,
            scopes=json.dumps(list(state.scopes)),
            verifier_envelope=state.verifier,
            browser_hash=state.browser_hash or None,
            expires_at=state.expires_at,
        ).save(condition=OAuthStateItem.pk.does_not_exist())

    def take_state(self, state_hash: str, browser_hash: str | None) -> OAuthState | CallbackFailure:
        """The state, now used up; or why it cannot be used (unknown, used, expired, or presented by
        another browser than the one that started it, which uses nothing up)."""
        now = self._now()
        try:
            # Read past the TTL filter: an expired state deserves its own answer until DynamoDB drops it.
            item = OAuthStateItem.get(f"OAUTHSTATE#{state_hash}", "OAUTHSTATE", consistent_read=True)
        except DoesNotExist:
            return CallbackFailure.INVALID_STATE
        if item.used_at is not None:
            return CallbackFailure.USED_STATE
        if item.expires_at is None or item.expires_at <= now:
            return CallbackFailure.EXPIRED_STATE
        if not (item.browser_hash and browser_hash and same_hash(item.browser_hash, browser_hash)):
            return CallbackFailure.OTHER_BROWSER
        verifier = item.verifier_envelope  # update() reloads the item, which then has none
        try:
            # Single use: only one caller flips used_at; the verifier goes with it.
            item.update(
                actions=[OAuthStateItem.used_at.set(now), OAuthStateItem.verifier_envelope.remove()],
                condition=OAuthStateItem.used_at.does_not_exist() & (OAuthStateItem.expires_at > now),
            )
        except UpdateError as exc:
            if is_conditional_failure(exc):
                return CallbackFailure.USED_STATE
            raise
        return OAuthState(
            state_hash=state_hash,
            workspace_id=item.workspace_id,
            member_id=item.member_id,
            platform=Platform(item.platform),
            redirect_uri=item.redirect_uri,
            scopes=tuple(json.loads(item.scopes)),
            expires_at=item.expires_at,
            verifier=verifier,
            used=True,
            browser_hash=item.browser_hash or "",
        )

    # --- Meta account choices -------------------------------------------------------------------

    def put_pending(self, choice: PendingChoice) -> None:
        PendingItem(
            f"PENDING#{choice.id}",
            "PENDING",
            gsi1pk=f"MEMBER#{choice.member_id}",  # so a deletion finds it before its TTL does
            gsi1sk=f"PENDING#{choice.id}",
            workspace_id=choice.workspace_id,
            member_id=choice.member_id,
            platform=choice.platform.value,
            accounts=json.dumps([_pending_account_json(account) for account in choice.accounts]),
            expires_at=choice.expires_at,
        ).save()

    def get_pending(self, pending_id: str) -> PendingChoice | None:
        item = get_live(PendingItem, f"PENDING#{pending_id}", "PENDING")
        if item is None or item.used_at is not None:
            return None
        return _pending(pending_id, item)

    def take_pending(self, pending_id: str) -> PendingChoice | None:
        now = self._now()
        item = get_live(PendingItem, f"PENDING#{pending_id}", "PENDING")
        if item is None or item.used_at is not None:
            return None
        choice = _pending(pending_id, item)
        try:
            item.update(
                actions=[PendingItem.used_at.set(now), PendingItem.accounts.set("[]")],
                condition=PendingItem.used_at.does_not_exist() & (PendingItem.expires_at > now),
            )
        except UpdateError as exc:
            if is_conditional_failure(exc):
                return None
            raise
        return choice

    # --- connections ----------------------------------------------------------------------------

    def list_connections(self, workspace_id: str) -> list[Connection]:
        items = ConnectionItem.query(
            f"WORKSPACE#{workspace_id}", ConnectionItem.sk.startswith("CONNECTION#"), consistent_read=True
        )
        return sorted((_connection(item) for item in items), key=lambda c: c.connected_at)

    def get_connection(self, workspace_id: str, connection_id: str) -> tuple[Connection, SealedTokens] | None:
        item = get_live(ConnectionItem, f"WORKSPACE#{workspace_id}", f"CONNECTION#{connection_id}")
        if item is None:
            return None
        return _connection(item), _sealed(item)

    def find_by_platform_user(self, platform: Platform, user_id: str) -> list[Connection]:
        items = ConnectionItem.gsi1.query(f"PLATFORMUSER#{platform.value}#{user_id}")
        return [_connection(item) for item in items if isinstance(item, ConnectionItem)]

    def find_by_platform_account(self, platform: Platform, account_id: str) -> list[Connection]:
        """Connections of a Facebook Page or Instagram account (storage/platform_accounts.py)."""
        found = (self.get_connection(*key) for key in connections_of_account(platform, account_id))
        return [loaded[0] for loaded in found if loaded is not None]

    def save_connection(self, connection: Connection, tokens: SealedTokens, previous_due: str | None) -> None:
        """Creates or wholly replaces a connection (a first connect or a reconnect), syncs on."""
        now = self._now()
        due = refresh_due_at(tokens, now)
        due_sk = _due_key(connection, due) if due else None
        item = ConnectionItem(
            f"WORKSPACE#{connection.workspace_id}",
            f"CONNECTION#{connection.id}",
            gsi1pk=f"PLATFORMUSER#{connection.platform.value}#{connection.platform_user_id}",
            gsi1sk=f"CONNECTION#{connection.workspace_id}#{connection.id}",
            sync_shard=f"SHARD#{_shard(connection.id)}",
            next_sync_at=epoch(now + SYNC_INTERVAL),
            connection_id=connection.id,
            workspace_id=connection.workspace_id,
            platform=connection.platform.value,
            account_id=connection.account_id,
            account_name=connection.account_name,
            owner_member_id=connection.owner_member_id,
            status=connection.status.value,
            scopes=json.dumps(sorted(connection.scopes)),
            missing_scopes=json.dumps(sorted(connection.missing_scopes)),
            platform_user_id=connection.platform_user_id,
            connected_at=connection.connected_at,
            refreshed_at=connection.refreshed_at,
            last_sync_at=connection.last_sync_at,
            demographics_at=connection.demographics_at,
            profile_synced_at=connection.profile_synced_at,
            counters_synced_at=connection.counters_synced_at,
            token_version=connection.token_version,
            refresh_due_sk=due_sk,
            **_token_attributes(tokens),
        )
        lookup = account_lookup_item(connection)
        with TransactWrite(connection=shared_connection()) as transaction:
            transaction.save(item)
            if lookup is not None:
                transaction.save(lookup)
            self._move_due(transaction, connection, previous_due, due_sk)

    def acquire_refresh_lease(self, connection: Connection, holder: str, lease: timedelta) -> bool:
        """One refresher at a time per connection: only the holder may spend the refresh token."""
        now = self._now()
        try:
            ConnectionItem(f"WORKSPACE#{connection.workspace_id}", f"CONNECTION#{connection.id}").update(
                actions=[
                    ConnectionItem.refresh_lease.set(holder),
                    ConnectionItem.refresh_lease_until.set(epoch(now + lease)),
                ],
                condition=(ConnectionItem.token_version == connection.token_version)
                & (ConnectionItem.status == ConnectionStatus.ACTIVE.value)
                & (
                    ConnectionItem.refresh_lease_until.does_not_exist()
                    | (ConnectionItem.refresh_lease_until < epoch(now))
                ),
            )
        except UpdateError as exc:
            if is_conditional_failure(exc):
                return False
            raise
        return True

    def release_refresh_lease(self, connection: Connection, holder: str) -> None:
        try:
            ConnectionItem(f"WORKSPACE#{connection.workspace_id}", f"CONNECTION#{connection.id}").update(
                actions=[ConnectionItem.refresh_lease.remove(), ConnectionItem.refresh_lease_until.remove()],
                condition=ConnectionItem.refresh_lease == holder,
            )
        except UpdateError as exc:
            if not is_conditional_failure(exc):
                raise

    def replace_tokens(
        self, connection: Connection, tokens: SealedTokens, expected_version: int, previous_due: str | None
    ) -> bool:
        """Saves refreshed tokens only if nobody saved others since ``expected_version`` was read."""
        now = self._now()
        due = refresh_due_at(tokens, now)
        due_sk = _due_key(connection, due) if due else None
        attributes = _token_attributes(tokens)
        actions: list[Any] = [
            ConnectionItem.token_version.set(expected_version + 1),
            ConnectionItem.refreshed_at.set(now),
            ConnectionItem.scopes.set(json.dumps(sorted(tokens.scopes))),
            ConnectionItem.access_envelope.set(attributes["access_envelope"]),
            ConnectionItem.refresh_lease.remove(),
            ConnectionItem.refresh_lease_until.remove(),
        ]
        for name in ("refresh_envelope", "access_expires_at", "refresh_expires_at", "token_account_id"):
            attribute = getattr(ConnectionItem, name)
            value = attributes[name]
            actions.append(attribute.remove() if value is None else attribute.set(value))
        actions.append(
            ConnectionItem.refresh_due_sk.remove()
            if due_sk is None
            else ConnectionItem.refresh_due_sk.set(due_sk)
        )
        try:
            with TransactWrite(connection=shared_connection()) as transaction:
                transaction.update(
                    ConnectionItem(f"WORKSPACE#{connection.workspace_id}", f"CONNECTION#{connection.id}"),
                    actions=actions,
                    condition=(ConnectionItem.token_version == expected_version)
                    & (ConnectionItem.status == ConnectionStatus.ACTIVE.value),
                )
                self._move_due(transaction, connection, previous_due, due_sk)
        except TransactWriteError as exc:
            if is_conditional_failure(exc):
                return False
            raise
        return True

    def mark_needs_reauth(self, connection: Connection, reason: str, previous_due: str | None) -> bool:
        """Stops syncs and refreshes, keeps data; True only for the caller that made the change."""
        try:
            with TransactWrite(connection=shared_connection()) as transaction:
                transaction.update(
                    ConnectionItem(f"WORKSPACE#{connection.workspace_id}", f"CONNECTION#{connection.id}"),
                    actions=[
                        ConnectionItem.status.set(ConnectionStatus.NEEDS_REAUTH.value),
                        ConnectionItem.status_reason.set(reason),
                        ConnectionItem.sync_shard.remove(),
                        ConnectionItem.next_sync_at.remove(),
                        ConnectionItem.refresh_due_sk.remove(),
                    ],
                    condition=ConnectionItem.status == ConnectionStatus.ACTIVE.value,
                )
                self._move_due(transaction, connection, previous_due, None)
        except TransactWriteError as exc:
            if is_conditional_failure(exc):
                return False
            raise
        return True

    def delete_connection(self, connection: Connection, previous_due: str | None) -> None:
        with TransactWrite(connection=shared_connection()) as transaction:
            transaction.delete(
                ConnectionItem(f"WORKSPACE#{connection.workspace_id}", f"CONNECTION#{connection.id}")
            )
            lookup = account_lookup_item(connection)
            if lookup is not None:
                transaction.delete(lookup)
            self._move_due(transaction, connection, previous_due, None)

    def due_key(self, workspace_id: str, connection_id: str) -> str | None:
        item = get_live(ConnectionItem, f"WORKSPACE#{workspace_id}", f"CONNECTION#{connection_id}")
        return item.refresh_due_sk if item else None

    def due_for_refresh(self, now: datetime, limit: int = 500) -> list[tuple[str, str]]:
        """(workspace id, connection id) of connections whose tokens are due, oldest due first."""
        found: list[tuple[str, str]] = []
        upper = f"{epoch(now):012d}#~"
        for shard in range(SHARDS):
            for item in RefreshDueItem.query(f"REFRESHDUE#{shard}", RefreshDueItem.sk <= upper, limit=limit):
                found.append((item.workspace_id, item.connection_id))
        return found[:limit]

    def _move_due(
        self, transaction: TransactWrite, connection: Connection, old_sk: str | None, new_sk: str | None
    ) -> None:
        partition = f"REFRESHDUE#{_shard(connection.id)}"
        if old_sk is not None and old_sk != new_sk:
            transaction.delete(RefreshDueItem(partition, old_sk))
        if new_sk is not None and new_sk != old_sk:
            transaction.save(
                RefreshDueItem(
                    partition, new_sk, workspace_id=connection.workspace_id, connection_id=connection.id
                )
            )

    # --- alerts ---------------------------------------------------------------------------------

    def record_alert(self, alert: Alert) -> bool:
        """Stores the alert; False when it was already recorded (a redelivered message)."""
        item = AlertItem(
            f"WORKSPACE#{alert.workspace_id}",
            f"ALERT#{alert.created_at.isoformat()}#{alert.id}",
            alert_id=alert.id,
            workspace_id=alert.workspace_id,
            kind=alert.kind,
            connection_id=alert.connection_id,
            platform=alert.platform.value,
            account_name=alert.account_name,
            created_at=alert.created_at,
            post_id=alert.post_id,
            views_multiple=alert.views_multiple,
            follower_change_pct=alert.follower_change_pct,
            followers=alert.followers,
            expires_at=alert.created_at + ALERT_RETENTION,
        )
        try:
            item.save(condition=AlertItem.pk.does_not_exist())
        except PutError as exc:
            if is_conditional_failure(exc):
                return False
            raise
        return True

    def list_alerts(self, workspace_id: str) -> list[Alert]:
        items = AlertItem.query(f"WORKSPACE#{workspace_id}", AlertItem.sk.startswith("ALERT#"))
        return [alert_of(item) for item in items]

    def record_summary(self, connection: Connection, summary: AccountStats) -> None:
        """Stores the headline numbers of the last sync on the connection (unless it is gone)."""
        try:
            ConnectionItem(f"WORKSPACE#{connection.workspace_id}", f"CONNECTION#{connection.id}").update(
                actions=[ConnectionItem.summary.set(summary.to_json())], condition=ConnectionItem.pk.exists()
            )
        except UpdateError as exc:
            if not is_conditional_failure(exc):  # disconnected meanwhile: nothing to record
                raise


def alert_of(item: AlertItem) -> Alert:
    def number(value: Any) -> float | None:
        return None if value is None else float(value)

    return Alert(
        id=item.alert_id,
        workspace_id=item.workspace_id,
        kind=item.kind,
        connection_id=item.connection_id,
        platform=Platform(item.platform),
        account_name=item.account_name,
        created_at=item.created_at,
        post_id=item.post_id,
        views_multiple=number(item.views_multiple),
        follower_change_pct=number(item.follower_change_pct),
        followers=None if item.followers is None else int(item.followers),
        acknowledged_at=item.acknowledged_at,
        acknowledged_by=item.acknowledged_by,
    )


def _token_attributes(tokens: SealedTokens) -> dict[str, Any]:
    return {
        "access_envelope": tokens.access,
        "refresh_envelope": tokens.refresh,
        "access_expires_at": tokens.expires_at,
        "refresh_expires_at": tokens.refresh_expires_at,
        "token_account_id": tokens.account_id,
    }


def _sealed(item: ConnectionItem) -> SealedTokens:
    return SealedTokens(
        access=item.access_envelope,
        expires_at=item.access_expires_at,
        scopes=frozenset(json.loads(item.scopes)),
        user_id=item.platform_user_id,
        account_id=item.token_account_id,
        refresh=item.refresh_envelope,
        refresh_expires_at=item.refresh_expires_at,
    )


def _connection(item: ConnectionItem) -> Connection:
    return Connection(
        id=item.connection_id,
        workspace_id=item.workspace_id,
        platform=Platform(item.platform),
        account_id=item.account_id,
        account_name=item.account_name,
        owner_member_id=item.owner_member_id,
        status=ConnectionStatus(item.status),
        scopes=frozenset(json.loads(item.scopes)),
        missing_scopes=frozenset(json.loads(item.missing_scopes)),
        platform_user_id=item.platform_user_id,
        connected_at=item.connected_at,
        token_version=int(item.token_version or 0),
        refreshed_at=item.refreshed_at,
        last_sync_at=item.last_sync_at,
        demographics_at=item.demographics_at,
        profile_synced_at=item.profile_synced_at,
        counters_synced_at=item.counters_synced_at,
        status_reason=item.status_reason,
        stats=AccountStats.from_json(item.summary),
    )


def _pending_account_json(account: PendingAccount) -> dict[str, Any]:
    tokens = account.tokens
    return {
        "account_id": account.account_id,
        "name": account.name,
        "access": tokens.access,
        "refresh": tokens.refresh,
        "expires_at": tokens.expires_at.isoformat() if tokens.expires_at else None,
        "refresh_expires_at": tokens.refresh_expires_at.isoformat() if tokens.refresh_expires_at else None,
        "scopes": sorted(tokens.scopes),
        "user_id": tokens.user_id,
        "token_account_id": tokens.account_id,
    }


def _pending(pending_id: str, item: PendingItem) -> PendingChoice:
    def moment(raw: str | None) -> datetime | None:
        return datetime.fromisoformat(raw) if raw else None

    accounts = tuple(
        PendingAccount(
            account_id=raw["account_id"],
            name=raw["name"],
            tokens=SealedTokens(
                access=raw["access"],
                expires_at=moment(raw["expires_at"]),
                scopes=frozenset(raw["scopes"]),
                user_id=raw["user_id"],
                account_id=raw["token_account_id"],
                refresh=raw["refresh"],
                refresh_expires_at=moment(raw["refresh_expires_at"]),
            ),
        )
        for raw in json.loads(item.accounts)
    )
    assert item.expires_at is not None
    return PendingChoice(
        id=pending_id,
        workspace_id=item.workspace_id,
        member_id=item.member_id,
        platform=Platform(item.platform),
        accounts=accounts,
        expires_at=item.expires_at,
    )
