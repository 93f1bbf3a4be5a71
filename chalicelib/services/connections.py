"""Connecting platform accounts by OAuth, keeping their tokens alive, and letting go of them.

Every platform failure becomes an outcome a person can act on (a callback page, a ``needs_reauth``
status, a retry at the next sweep); none becomes a 500. Tokens are sealed by the vault before they
reach the store and opened only to call the platform; no token, code or verifier is ever logged.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Protocol, TypeVar

from chalicelib.domain.audit import AuditAction
from chalicelib.domain.connections import (
    CONNECT_STATE_LIFETIME,
    Alert,
    CallbackFailure,
    Connection,
    ConnectionStatus,
    OAuthState,
    PendingAccount,
    PendingChoice,
    Revocation,
    RevokeSkipped,
    SealedTokens,
    refresh_due_at,
)
from chalicelib.domain.errors import (
    ConflictError,
    DependencyUnavailableError,
    NotFoundError,
    ValidationError,
)
from chalicelib.domain.identity import Caller
from chalicelib.domain.platforms import (
    AuthorizationRequest,
    ConnectableAccount,
    Platform,
    Profile,
    TokenSet,
)
from chalicelib.observability import logger
from chalicelib.platforms.base import (
    AccountMissingError,
    Flow,
    PermissionMissingError,
    PlatformError,
    PlatformProvider,
    RateLimitedError,
    ReauthorizeError,
    RetryLaterError,
)
from chalicelib.security.secret import Secret
from chalicelib.security.tokens import hash_secret, new_id, new_secret
from chalicelib.services.audit import AuditLog
from chalicelib.services.ports import AccountStore, AlertNotifier, ConnectionStore, IngestQueue, Vault

__all__ = [
    "CallbackOutcome",
    "ConnectStart",
    "ConnectionService",
    "PlatformAccess",
    "RefreshOutcome",
]

T = TypeVar("T")

META: Final = frozenset({Platform.FACEBOOK, Platform.INSTAGRAM})
REFRESH_LEASE: Final = timedelta(seconds=60)
USE_MARGIN: Final = timedelta(minutes=5)  # refresh on use when the access token dies within this
CALLBACK_DEADLINE_SECONDS: Final = 20.0  # API Gateway gives a request 29 s


class PlatformAccess(Protocol):
    """The providers and the client that runs their flows (built lazily by the composition root)."""

    def provider(self, platform: Platform) -> PlatformProvider | None: ...
    def run(self, flow: Flow[object], deadline_seconds: float | None = None) -> object: ...


class RefreshOutcome(enum.StrEnum):
    REFRESHED = "refreshed"
    NOT_DUE = "not_due"
    BY_PEER = "refreshed_by_another"
    NEEDS_REAUTH = "needs_reauth"
    RETRY_LATER = "retry_later"
    GONE = "gone"


@dataclass(frozen=True)
class CallbackOutcome:
    """What the callback page shows: connected accounts, a choice to make, or a failure."""

    platform: Platform | None
    connections: tuple[Connection, ...] = ()
    choice: PendingChoice | None = None
    failure: CallbackFailure | None = None
    missing_scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConnectStart:
    """Where to send the browser for consent, and the key that browser must bring back to the
    callback (set as a cookie), so that a consent link sent to someone else finishes nothing."""

    authorization_url: str
    browser_key: Secret


class _Failed(Exception):
    def __init__(self, failure: CallbackFailure, missing: Sequence[str] = ()) -> None:
        super().__init__(failure.value)
        self.failure = failure
        self.missing = tuple(missing)


class ConnectionService:
    def __init__(
        self,
        store: ConnectionStore,
        accounts: AccountStore,
        vault: Callable[[], Vault],
        platforms: Callable[[], PlatformAccess],
        queue: Callable[[], IngestQueue],
        audit: AuditLog,
        alert_emails: AlertNotifier,
        public_base_url: str,
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._accounts = accounts
        self._vault = vault
        self._platforms = platforms
        self._queue = queue
        self._audit = audit
        self._alert_emails = alert_emails
        self._base_url = public_base_url
        self._now = clock

    def redirect_uri(self, platform: Platform) -> str:
        return f"{self._base_url}/api/oauth/{platform.value}/callback"

    # --- connect --------------------------------------------------------------------------------

    def start(self, caller: Caller, platform_id: str) -> ConnectStart:
        """A single-use state bound to the caller and their browser, and the consent URL."""
        platform, provider = self._provider(platform_id)
        state = secrets.token_urlsafe(32)
        state_hash = hash_secret(state)
        browser_key = new_secret()
        request = provider.authorization_request(state)
        verifier = None
        if request.code_verifier is not None:
            verifier = self._vault().seal(
                request.code_verifier, caller.workspace_id, _state_context(state_hash)
            )
        self._store.put_state(
            OAuthState(
                state_hash=state_hash,
                workspace_id=caller.workspace_id,
                member_id=caller.member.id,
                platform=platform,
                redirect_uri=request.redirect_uri,
                scopes=request.scopes,
                expires_at=self._now() + CONNECT_STATE_LIFETIME,
                verifier=verifier,
                browser_hash=hash_secret(browser_key),
            )
        )
        return ConnectStart(request.url, Secret(browser_key))

    def reconnect(self, caller: Caller, connection_id: str) -> ConnectStart:
        connection, _ = self._visible(caller, connection_id)
        return self.start(caller, connection.platform.value)

    def callback(
        self, platform_id: str, params: Mapping[str, str], browser_key: Secret | None
    ) -> CallbackOutcome:
        """Finishes a connect from the platform's redirect, in the browser that started it (by the
        key ``start`` gave it); every failure is an outcome, never a raise."""
        try:
            platform = Platform(platform_id)
        except ValueError:
            return CallbackOutcome(None, failure=CallbackFailure.UNKNOWN_PLATFORM)
        try:
            return self._callback(platform, params, browser_key)
        except _Failed as failed:
            logger.info("connect failed", extra={"platform": platform.value, "failure": failed.failure.value})
            return CallbackOutcome(platform, failure=failed.failure, missing_scopes=failed.missing)

    def _callback(
        self, platform: Platform, params: Mapping[str, str], browser_key: Secret | None
    ) -> CallbackOutcome:
        raw_state = params.get("state", "")
        if not raw_state:
            raise _Failed(CallbackFailure.INVALID_STATE)
        # Another browser's callback (a consent link sent to someone else) is refused before the
        # state is used up or any code exchanged: the account must not land in the sender's workspace.
        browser_hash = hash_secret(browser_key.reveal()) if browser_key is not None else None
        taken = self._store.take_state(hash_secret(raw_state), browser_hash)
        if isinstance(taken, CallbackFailure):
            raise _Failed(taken)
        state = taken
        if state.platform is not platform or state.redirect_uri != self.redirect_uri(platform):
            raise _Failed(CallbackFailure.REDIRECT_MISMATCH)
        member = self._accounts.get_member(state.workspace_id, state.member_id)
        if member is None or not member.active:
            raise _Failed(CallbackFailure.INVALID_STATE)
        if params.get("error"):
            raise _Failed(CallbackFailure.DENIED)
        code = params.get("code", "")
        if not code:
            raise _Failed(CallbackFailure.PLATFORM_ERROR)
        _, provider = self._provider(platform.value)
        verifier = (
            self._vault().open(state.verifier, state.workspace_id, _state_context(state.state_hash))
            if state.verifier
            else None
        )
        request = AuthorizationRequest(
            platform=platform,
            url="",
            state="",
            redirect_uri=state.redirect_uri,
            scopes=state.scopes,
            code_verifier=verifier,
        )
        tokens = self._call(provider.exchange_code(code, request))
        missing = sorted(tokens.missing_scopes(state.scopes))
        if missing:
            # Nothing is connected; the grant goes too unless a connection already rides it.
            self._revoke_unless_in_use(provider, tokens.platform, tokens.user_id, lambda: tokens)
            raise _Failed(CallbackFailure.PARTIAL, missing)
        if platform in META:
            return self._meta_accounts(state, provider, tokens)
        profile = self._call(provider.profile(tokens))
        connection = self._connect(state.workspace_id, state.member_id, tokens, profile)
        return CallbackOutcome(platform, connections=(connection,))

    def _meta_accounts(
        self, state: OAuthState, provider: PlatformProvider, user_tokens: TokenSet
    ) -> CallbackOutcome:
        picker: Callable[[TokenSet], Flow[list[ConnectableAccount]]] | None = getattr(
            provider, "connectable_accounts", None
        )
        assert picker is not None  # every Meta provider is a FacebookLoginProvider
        candidates = self._call(picker(user_tokens))
        if not candidates:
            raise _Failed(CallbackFailure.NO_ACCOUNTS)
        if len(candidates) == 1:
            only = candidates[0]
            profile = self._call(provider.profile(only.tokens))
            connection = self._connect(state.workspace_id, state.member_id, only.tokens, profile)
            return CallbackOutcome(state.platform, connections=(connection,))
        pending_id = new_id()
        vault = self._vault()
        context = _pending_context(pending_id)
        choice = PendingChoice(
            id=pending_id,
            workspace_id=state.workspace_id,
            member_id=state.member_id,
            platform=state.platform,
            accounts=tuple(
                PendingAccount(
                    candidate.account_id,
                    candidate.name,
                    _seal(vault, candidate.tokens, state.workspace_id, context),
                )
                for candidate in candidates
            ),
            expires_at=self._now() + CONNECT_STATE_LIFETIME,
        )
        self._store.put_pending(choice)
        return CallbackOutcome(state.platform, choice=choice)

    def pending(self, caller: Caller, pending_id: str) -> PendingChoice:
        choice = self._store.get_pending(pending_id)
        if (
            choice is None
            or choice.workspace_id != caller.workspace_id
            or choice.member_id != caller.member.id
        ):
            raise NotFoundError("This choice has expired or was already made; connect again.")
        return choice

    def choose(self, caller: Caller, pending_id: str, account_ids: Sequence[str]) -> list[Connection]:
        """Connects the Pages / Instagram accounts the member picked from a pending choice."""
        choice = self.pending(caller, pending_id)
        offered = {account.account_id: account for account in choice.accounts}
        unknown = [account_id for account_id in account_ids if account_id not in offered]
        if unknown:
            raise ValidationError(
                [{"field": "account_ids", "problem": "names an account that was not offered"}]
            )
        if self._store.take_pending(pending_id) is None:
            raise NotFoundError("This choice has expired or was already made; connect again.")
        provider = self._provider(choice.platform.value)[1]
        vault = self._vault()
        connections = []
        for account_id in dict.fromkeys(account_ids):
            tokens = _open(
                vault,
                offered[account_id].tokens,
                choice.platform,
                caller.workspace_id,
                _pending_context(pending_id),
            )
            try:
                profile = self._call(provider.profile(tokens))
            except _Failed as failed:
                raise ConflictError(
                    "The platform did not answer; connect again in a moment.", code=failed.failure.value
                ) from None
            connections.append(self._connect(caller.workspace_id, caller.member.id, tokens, profile))
        return connections

    def _connect(self, workspace_id: str, member_id: str, tokens: TokenSet, profile: Profile) -> Connection:
        """Stores a new connection, or renews the one this workspace already has for the account."""
        account_id = tokens.account_id or profile.account_id
        existing = next(
            (
                c
                for c in self._store.list_connections(workspace_id)
                if c.platform is tokens.platform and c.account_id == account_id
            ),
            None,
        )
        now = self._now()
        connection = Connection(
            id=existing.id if existing else new_id(),
            workspace_id=workspace_id,
            platform=tokens.platform,
            account_id=account_id,
            account_name=profile.handle or profile.display_name or account_id,
            owner_member_id=member_id,
            status=ConnectionStatus.ACTIVE,
            scopes=tokens.scopes,
            missing_scopes=frozenset(),
            platform_user_id=tokens.user_id,
            connected_at=existing.connected_at if existing else now,
            token_version=(existing.token_version + 1) if existing else 0,
            refreshed_at=now,
            # A reconnect keeps what was synced: ingestion reads history only for accounts it has synced.
            last_sync_at=existing.last_sync_at if existing else None,
            demographics_at=existing.demographics_at if existing else None,
            profile_synced_at=existing.profile_synced_at if existing else None,
            counters_synced_at=existing.counters_synced_at if existing else None,
        )
        sealed = _seal(self._vault(), tokens, workspace_id, connection.id)
        previous_due = self._store.due_key(workspace_id, connection.id) if existing else None
        self._store.save_connection(connection, sealed, previous_due)
        self._audit.record(
            AuditAction.CONNECTION_CONNECTED,
            workspace_id=workspace_id,
            actor_id=member_id,
            target=connection.id,
            details={"platform": connection.platform.value, "reconnected": existing is not None},
        )
        self._queue().enqueue_backfill(workspace_id, connection.id)
        return connection

    # --- read and disconnect --------------------------------------------------------------------

    def list(self, caller: Caller) -> list[Connection]:
        connections = self._store.list_connections(caller.workspace_id)
        return [c for c in connections if c.visible_to(caller.member)]

    def disconnect(self, caller: Caller, connection_id: str) -> None:
        """Revokes at the platform (best effort, and only the last user of a grant), deletes the
        tokens at once, stops syncs, audits."""
        connection, sealed = self._visible(caller, connection_id)
        revocation = self.release_grant(connection, sealed)
        self._store.delete_connection(connection, self._store.due_key(connection.workspace_id, connection.id))
        self._audit.by(
            caller,
            AuditAction.CONNECTION_DISCONNECTED,
            connection.id,
            platform=connection.platform.value,
            **revocation.audit_details(),
        )

    def revoke_at_platform(self, connection: Connection, sealed: SealedTokens) -> bool:
        """Best effort, for deauthorization and deletion: False when not revoked (or not ours to revoke)."""
        return self.release_grant(connection, sealed).revoked

    def release_grant(self, connection: Connection, sealed: SealedTokens) -> Revocation:
        """Revokes the connection's grant at the platform unless another live connection rides it."""
        provider = self._platforms().provider(connection.platform)
        if provider is None:
            return Revocation(False, RevokeSkipped.NOT_CONFIGURED)
        if not sealed.access:
            return Revocation(False, RevokeSkipped.NO_TOKENS)
        return self._revoke_unless_in_use(
            provider,
            connection.platform,
            connection.platform_user_id,
            lambda: _open(self._vault(), sealed, connection.platform, connection.workspace_id, connection.id),
            leaving=connection.id,
        )

    def _revoke_unless_in_use(
        self,
        provider: PlatformProvider,
        platform: Platform,
        platform_user_id: str,
        tokens: Callable[[], TokenSet],
        leaving: str | None = None,
    ) -> Revocation:
        """Every revoke goes through here. A platform revokes a person's grant to the app as a whole
        (every token of that user, in every workspace; for Meta, every Page and Instagram account of
        that person), so it is revoked only when no other live connection uses it."""
        if self._grant_in_use(platform, platform_user_id, leaving):
            logger.info("revoke skipped: grant still in use", extra={"platform": platform.value})
            return Revocation(False, RevokeSkipped.GRANT_IN_USE)
        if not provider.revocable:
            return Revocation(False, RevokeSkipped.NO_REVOKE_CALL)
        opened = tokens()
        try:
            self._platforms().run(provider.revoke(opened), CALLBACK_DEADLINE_SECONDS)
        except PlatformError as exc:
            logger.warning("revoke failed", extra={"platform": platform.value, "kind": exc.kind})
            return Revocation(False, RevokeSkipped.PLATFORM_REFUSED)
        return Revocation(True)

    def _grant_in_use(self, platform: Platform, platform_user_id: str, leaving: str | None) -> bool:
        """Whether a live connection other than ``leaving`` belongs to the same platform user (for
        Meta: to the same app-scoped user on Facebook or Instagram)."""
        platforms = META if platform in META else frozenset({platform})
        return any(
            c.id != leaving and c.status is not ConnectionStatus.DISCONNECTED
            for each in platforms
            for c in self._store.find_by_platform_user(each, platform_user_id)
        )

    # --- keep tokens alive ----------------------------------------------------------------------

    def tokens_for_use(
        self, workspace_id: str, connection_id: str, read: tuple[Connection, SealedTokens] | None = None
    ) -> TokenSet:
        """Open tokens for a platform call, refreshing first if the access token is (nearly) dead.
        ``read``: the connection as the caller has just read it, so it is not read twice."""
        for _ in range(3):
            loaded, read = read or self._store.get_connection(workspace_id, connection_id), None
            if loaded is None:
                raise NotFoundError("There is no such connection.")
            connection, sealed = loaded
            if connection.needs_reauth or connection.status is ConnectionStatus.DISCONNECTED:
                raise ConflictError("This connection needs to be reconnected.", code="needs_reauth")
            tokens = _open(self._vault(), sealed, connection.platform, workspace_id, connection_id)
            if not tokens.expires_within(self._now(), USE_MARGIN):
                return tokens
            outcome = self.refresh(workspace_id, connection_id, force=True)
            if outcome is RefreshOutcome.NEEDS_REAUTH:
                raise ConflictError("This connection needs to be reconnected.", code="needs_reauth")
            if outcome is RefreshOutcome.RETRY_LATER:
                raise DependencyUnavailableError("The platform could not refresh the token now.")
        raise DependencyUnavailableError("Another refresh of this connection is still running.")

    def refresh(self, workspace_id: str, connection_id: str, *, force: bool = False) -> RefreshOutcome:
        """Renew one connection's tokens. The newest tokens are saved (conditionally) before any use."""
        loaded = self._store.get_connection(workspace_id, connection_id)
        if loaded is None:
            return RefreshOutcome.GONE
        connection, sealed = loaded
        if connection.needs_reauth:
            return RefreshOutcome.NEEDS_REAUTH
        if connection.status is ConnectionStatus.DISCONNECTED:
            return RefreshOutcome.GONE
        now = self._now()
        due = refresh_due_at(sealed, connection.refreshed_at or connection.connected_at)
        if not force and (due is None or due > now):
            return RefreshOutcome.NOT_DUE
        provider = self._platforms().provider(connection.platform)
        if provider is None:
            return RefreshOutcome.RETRY_LATER
        holder = new_id()
        if not self._store.acquire_refresh_lease(connection, holder, REFRESH_LEASE):
            return RefreshOutcome.BY_PEER
        previous_due = self._store.due_key(workspace_id, connection_id)
        vault = self._vault()
        tokens = _open(vault, sealed, connection.platform, workspace_id, connection_id)
        try:
            fresh = self._platforms().run(provider.refresh(tokens), CALLBACK_DEADLINE_SECONDS)
        except ReauthorizeError as exc:
            # We hold the lease, so nobody else should have spent the refresh token; if newer tokens
            # were saved all the same, the chain lives on and nothing needs a reconnect.
            latest = self._store.get_connection(workspace_id, connection_id)
            if latest is not None and latest[0].token_version != connection.token_version:
                return RefreshOutcome.BY_PEER
            self.mark_needs_reauth(connection, exc.kind, previous_due)
            return RefreshOutcome.NEEDS_REAUTH
        except PlatformError as exc:
            self._store.release_refresh_lease(connection, holder)
            logger.warning(
                "token refresh deferred", extra={"platform": connection.platform.value, "kind": exc.kind}
            )
            return RefreshOutcome.RETRY_LATER
        assert isinstance(fresh, TokenSet)
        saved = self._store.replace_tokens(
            connection,
            _seal(vault, fresh, workspace_id, connection_id),
            connection.token_version,
            previous_due,
        )
        return RefreshOutcome.REFRESHED if saved else RefreshOutcome.BY_PEER

    def mark_needs_reauth(self, connection: Connection, reason: str, previous_due: str | None = None) -> None:
        """Stops syncs, keeps data, raises a needs_reauth alert and mails it (once) to the members
        who can see the account and want that alert by e-mail (by default, all of them)."""
        if not self._store.mark_needs_reauth(connection, reason, previous_due):
            return
        alert = Alert(
            id=new_id(),
            workspace_id=connection.workspace_id,
            kind="needs_reauth",
            connection_id=connection.id,
            platform=connection.platform,
            account_name=connection.account_name,
            created_at=self._now(),
        )
        is_new = self._store.record_alert(alert)
        self._audit.record(
            AuditAction.CONNECTION_NEEDS_REAUTH,
            workspace_id=connection.workspace_id,
            actor_id=None,
            target=connection.id,
            details={"platform": connection.platform.value, "reason": reason},
        )
        if is_new:
            self._alert_emails.alert_raised(alert, connection)

    # --- helpers --------------------------------------------------------------------------------

    def _provider(self, platform_id: str) -> tuple[Platform, PlatformProvider]:
        try:
            platform = Platform(platform_id)
        except ValueError:
            raise NotFoundError(
                "CreatorDeck cannot connect to this platform.", code="unknown_platform"
            ) from None
        provider = self._platforms().provider(platform)
        if provider is None:
            raise NotFoundError("This platform is not configured here.", code="unknown_platform")
        return platform, provider

    def _visible(self, caller: Caller, connection_id: str) -> tuple[Connection, SealedTokens]:
        loaded = self._store.get_connection(caller.workspace_id, connection_id)
        if loaded is None:
            raise NotFoundError("There is no such connection.")
        if not loaded[0].visible_to(caller.member):
            raise NotFoundError("There is no such connection.")
        return loaded

    def _call(self, flow: Flow[T]) -> T:
        try:
            return self._platforms().run(flow, CALLBACK_DEADLINE_SECONDS)  # type: ignore[return-value]
        except (RateLimitedError, RetryLaterError) as exc:
            raise _Failed(CallbackFailure.PLATFORM_BUSY) from exc
        except AccountMissingError as exc:
            raise _Failed(CallbackFailure.NO_CHANNEL) from exc
        except PermissionMissingError as exc:
            raise _Failed(CallbackFailure.PARTIAL) from exc
        except PlatformError as exc:
            raise _Failed(CallbackFailure.PLATFORM_ERROR) from exc


def _state_context(state_hash: str) -> str:
    return f"oauthstate:{state_hash}"


def _pending_context(pending_id: str) -> str:
    return f"pending:{pending_id}"


def _seal(vault: Vault, tokens: TokenSet, workspace_id: str, context: str) -> SealedTokens:
    return SealedTokens(
        access=vault.seal(tokens.access_token, workspace_id, context),
        expires_at=tokens.expires_at,
        scopes=tokens.scopes,
        user_id=tokens.user_id,
        account_id=tokens.account_id,
        refresh=vault.seal(tokens.refresh_token, workspace_id, context) if tokens.refresh_token else None,
        refresh_expires_at=tokens.refresh_expires_at,
    )


def _open(
    vault: Vault, sealed: SealedTokens, platform: Platform, workspace_id: str, context: str
) -> TokenSet:
    refresh: Secret | None = vault.open(sealed.refresh, workspace_id, context) if sealed.refresh else None
    return TokenSet(
        platform=platform,
        access_token=vault.open(sealed.access, workspace_id, context),
        user_id=sealed.user_id,
        scopes=sealed.scopes,
        expires_at=sealed.expires_at,
        refresh_token=refresh,
        refresh_expires_at=sealed.refresh_expires_at,
        account_id=sealed.account_id,
    )
