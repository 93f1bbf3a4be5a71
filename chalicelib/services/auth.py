"""Sign-in, sessions, refresh-token rotation, password reset, and who is calling.

A session is a family of refresh tokens ``<session id>.<secret>``: only the SHA-256 of
the current secret is stored. Refreshing swaps it with a conditional write; presenting
any other secret of a live family means a rotated token was replayed, and the whole
family is revoked. API clients get a 60-minute JWT access token plus the refresh token;
the web app gets the session token in one ``HttpOnly; Secure; SameSite=Strict`` cookie.

Authenticating a request costs two DynamoDB calls: the session (or the API key, matched
and stamped in one conditional update) and the member.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final, NoReturn, Protocol

from chalicelib.domain.audit import AuditAction
from chalicelib.domain.closure import ClosedWorkspaceError
from chalicelib.domain.errors import (
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from chalicelib.domain.identity import Caller, Member, Origin
from chalicelib.observability import logger
from chalicelib.security.access_tokens import AccessTokens
from chalicelib.security.passwords import PasswordHasher, check_strength
from chalicelib.security.secret import Secret
from chalicelib.security.tokens import ApiKeyToken, CompoundToken, hash_secret, new_secret, same_hash
from chalicelib.services.audit import AuditLog
from chalicelib.services.mail import Mailer, password_reset_email
from chalicelib.services.ports import AccountStore
from chalicelib.services.workspaces import normalise_email

SESSION_LIFETIME: Final = timedelta(days=30)
RESET_LIFETIME: Final = timedelta(hours=1)
IP_WINDOW: Final = timedelta(minutes=15)
BAD_CREDENTIALS: Final = "Email or password is incorrect."
TOO_MANY: Final = "Too many sign-in attempts. Wait a while, or reset your password."


class ClosedWorkspaces(Protocol):
    """Closed workspaces (services/workspace_closure.py): their sign-ins and API keys get a 403."""

    def is_closed(self, workspace_id: str) -> bool: ...
    def closed_key(self, prefix: str, secret_hash: str) -> bool: ...


class CredentialKind(StrEnum):
    BEARER = "bearer"
    COOKIE = "cookie"


@dataclass(frozen=True)
class Credential:
    kind: CredentialKind
    value: Secret


@dataclass(frozen=True)
class BruteForcePolicy:
    lockout_threshold: int = 5
    lockout: timedelta = timedelta(minutes=15)
    ip_limit: int = 50


@dataclass(frozen=True)
class IssuedSession:
    member: Member
    session_id: str
    session_token: Secret  # the refresh token; also the web cookie's value
    access_token: Secret
    expires_in: int


class AuthService:
    def __init__(
        self,
        accounts: AccountStore,
        passwords: PasswordHasher,
        access_tokens: Callable[[], AccessTokens],
        mailer: Mailer,
        audit: AuditLog,
        policy: BruteForcePolicy,
        public_base_url: str,
        clock: Callable[[], datetime],
        closures: ClosedWorkspaces | None = None,
    ) -> None:
        self._accounts = accounts
        self._closures = closures
        self._passwords = passwords
        self._access_tokens = access_tokens  # built on first use: the key comes from Secrets Manager
        self._mailer = mailer
        self._audit = audit
        self._policy = policy
        self._base_url = public_base_url
        self._now = clock

    # --- sign-in and sessions ---------------------------------------------------------

    def sign_in(self, email: str, password: str, origin: Origin) -> IssuedSession:
        address = normalise_email(email)
        if self._accounts.count_ip_attempt(origin.ip or "unknown", IP_WINDOW) > self._policy.ip_limit:
            raise RateLimitedError(
                TOO_MANY, retry_after_seconds=int(IP_WINDOW.total_seconds()), code="too_many_attempts"
            )
        guard = hash_secret(address)
        locked_until = self._accounts.locked_until(guard)
        if locked_until is not None:
            raise RateLimitedError(
                TOO_MANY, retry_after_seconds=self._seconds_until(locked_until), code="too_many_attempts"
            )
        found = self._accounts.find_member_by_email(address)
        member, stored_hash = found if found else (None, None)
        # Verify even when there is no such member, so both cases take the same time.
        verified = self._passwords.verify(stored_hash, password)
        if member is None or stored_hash is None or not verified:
            self._fail(guard, member, origin)
        if self._closures is not None and self._closures.is_closed(member.workspace_id):
            raise ClosedWorkspaceError()
        self._accounts.clear_failures(guard)
        if self._passwords.needs_rehash(stored_hash):
            self._accounts.set_password_hash(member, self._passwords.hash(password))
        issued = self._open_session(member)
        self._audit.by_member(member, AuditAction.SIGN_IN, origin)
        return issued

    def refresh(self, session_token: str, origin: Origin) -> IssuedSession:
        token = CompoundToken.parse(session_token)
        stored = self._accounts.get_session(token.lookup) if token else None
        if token is None or stored is None or stored.revoked_at is not None:
            raise AuthenticationError("This session has ended. Sign in again.", code="session_ended")
        presented = hash_secret(token.secret)
        rotated = CompoundToken(token.lookup, new_secret())
        if not same_hash(presented, stored.secret_hash) or not self._accounts.rotate_session(
            token.lookup, presented, hash_secret(rotated.secret), SESSION_LIFETIME
        ):
            # A secret that was current once but is not now: someone replayed a rotated token.
            self._accounts.revoke_session(token.lookup)
            self._audit.record(
                AuditAction.REFRESH_REUSE,
                workspace_id=stored.workspace_id,
                actor_id=stored.member_id,
                target=token.lookup,
                origin=origin,
            )
            raise AuthenticationError("This session has ended. Sign in again.", code="session_ended")
        member = self._accounts.get_member(stored.workspace_id, stored.member_id)
        if member is None or not member.active:
            raise AuthenticationError("This session has ended. Sign in again.", code="session_ended")
        access = self._access_tokens().issue(member.id, member.workspace_id, token.lookup, self._now())
        return IssuedSession(
            member, token.lookup, Secret(rotated.render()), Secret(access), self._expires_in()
        )

    def sign_out(self, caller: Caller) -> None:
        if caller.session_id is None:
            raise PermissionDeniedError(
                "API keys do not sign out; revoke the key instead.", code="not_a_session"
            )
        self._accounts.revoke_session(caller.session_id)
        self._audit.by(caller, AuditAction.SIGN_OUT, caller.session_id)

    def authenticate(self, credential: Credential | None, origin: Origin) -> Caller:
        """The caller behind a bearer token (JWT or API key) or session cookie; 401 otherwise."""
        if credential is None:
            raise AuthenticationError("Sign in, or send an API key as a Bearer token.")
        raw = credential.value.reveal()
        if credential.kind is CredentialKind.COOKIE:
            return self._by_session_token(raw, origin)
        if raw.startswith("cdk_"):
            return self._by_api_key(raw, origin)
        return self._by_access_token(raw, origin)

    # --- passwords --------------------------------------------------------------------

    def change_password(self, caller: Caller, current: str, new: str) -> None:
        found = self._accounts.find_member_by_email(caller.member.email)
        if found is None or not self._passwords.verify(found[1], current):
            raise InvalidInputError("The current password is not right.", code="wrong_current_password")
        self._accounts.set_password_hash(caller.member, self._passwords.hash(new))
        self._audit.by(caller, AuditAction.PASSWORD_CHANGED, caller.member.id)

    def request_password_reset(self, email: str, origin: Origin) -> None:
        """Mails a one-time reset link if the account exists; answers the same either way."""
        found = self._accounts.find_member_by_email(normalise_email(email))
        if found is None:
            logger.info("password reset for an unknown email")
            return
        member = found[0]
        token = new_secret()
        self._accounts.create_reset(hash_secret(token), member, RESET_LIFETIME)
        self._mailer.send(
            password_reset_email(member.email, f"{self._base_url}/reset-password#token={token}")
        )
        self._audit.by_member(member, AuditAction.PASSWORD_RESET_REQUESTED, origin)

    def reset_password(self, token: str, password: str, origin: Origin) -> None:
        check_strength(password)
        used = self._accounts.consume_reset(hash_secret(token))
        member = self._accounts.get_member(*used) if used else None
        if member is None or not member.active:
            raise NotFoundError(
                "This reset link is not valid: it may have been used or expired.", code="reset_link_unusable"
            )
        self._accounts.set_password_hash(member, self._passwords.hash(password))
        self._accounts.revoke_member_sessions(member.id)
        self._accounts.clear_failures(hash_secret(member.email))
        self._audit.by_member(member, AuditAction.PASSWORD_RESET, origin)

    # --- helpers ------------------------------------------------------------------------

    def _fail(self, guard: str, member: Member | None, origin: Origin) -> NoReturn:
        locked_until = self._accounts.record_failure(
            guard, self._policy.lockout_threshold, self._policy.lockout
        )
        if member is not None:
            self._audit.by_member(member, AuditAction.SIGN_IN_FAILED, origin)
            if locked_until is not None:
                self._audit.by_member(member, AuditAction.LOCKED_OUT, origin, until=locked_until.isoformat())
        raise AuthenticationError(BAD_CREDENTIALS, code="invalid_credentials")

    def _open_session(self, member: Member) -> IssuedSession:
        token = CompoundToken.issue()
        self._accounts.create_session(token.lookup, member, hash_secret(token.secret), SESSION_LIFETIME)
        access = self._access_tokens().issue(member.id, member.workspace_id, token.lookup, self._now())
        return IssuedSession(member, token.lookup, Secret(token.render()), Secret(access), self._expires_in())

    def _by_access_token(self, raw: str, origin: Origin) -> Caller:
        claims = self._access_tokens().verify(raw)
        if claims is None:
            raise AuthenticationError("The access token is invalid or expired.", code="invalid_token")
        stored = self._accounts.get_session(claims.session_id)
        if stored is None or stored.revoked_at is not None or stored.member_id != claims.member_id:
            raise AuthenticationError("This session has ended. Sign in again.", code="session_ended")
        return Caller(
            self._active_member(stored.workspace_id, stored.member_id),
            session_id=claims.session_id,
            origin=origin,
        )

    def _by_session_token(self, raw: str, origin: Origin) -> Caller:
        token = CompoundToken.parse(raw)
        stored = self._accounts.get_session(token.lookup) if token else None
        if (
            token is None
            or stored is None
            or stored.revoked_at is not None
            or not same_hash(hash_secret(token.secret), stored.secret_hash)
        ):
            raise AuthenticationError("This session has ended. Sign in again.", code="session_ended")
        return Caller(
            self._active_member(stored.workspace_id, stored.member_id), session_id=token.lookup, origin=origin
        )

    def _by_api_key(self, raw: str, origin: Origin) -> Caller:
        token = ApiKeyToken.parse(raw)
        key = self._accounts.use_api_key(token.prefix, hash_secret(token.secret)) if token else None
        closed = self._closures
        if (
            key is None
            and token is not None
            and closed
            and closed.closed_key(token.prefix, hash_secret(token.secret))
        ):
            raise ClosedWorkspaceError()
        if key is None:
            raise AuthenticationError("The API key is invalid or revoked.", code="invalid_api_key")
        member = self._active_member(key.workspace_id, key.member_id)
        return Caller(member, api_key_id=key.id, key_scopes=key.scopes, origin=origin)

    def _active_member(self, workspace_id: str, member_id: str) -> Member:
        member = self._accounts.get_member(workspace_id, member_id)
        if member is None or not member.active:
            raise AuthenticationError("This account no longer has access.", code="account_inactive")
        return member

    def _expires_in(self) -> int:
        return int(self._access_tokens().lifetime.total_seconds())

    def _seconds_until(self, moment: datetime) -> int:
        return max(1, int((moment - self._now()).total_seconds()))
