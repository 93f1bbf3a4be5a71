"""Privacy requests coming in: Meta's and TikTok's callbacks, and members asking for deletion or export.

Each request is verified, recorded with an unguessable code and handed to the privacy worker (at
once, or by the retention sweep when a delay applies). A callback answers quickly and the same way
on redelivery: a replay marker per delivery (73 h TTL) remembers what it led to. A rejected callback
gets one generic answer; why it was rejected goes to the log only, never the signed request itself.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, NoReturn, Protocol

from chalicelib.domain.audit import AuditAction
from chalicelib.domain.connections import Connection, ConnectionStatus, Revocation, SealedTokens
from chalicelib.domain.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from chalicelib.domain.identity import Caller, Member
from chalicelib.domain.permissions import Action, Role
from chalicelib.domain.platforms import Platform
from chalicelib.domain.privacy import (
    EXPORT_LINK_LIFETIME,
    RECENT_EXPORTS,
    WEBHOOK_REPLAY_WINDOW,
    DeletionRequest,
    DeletionSource,
    DeletionStatus,
    DeletionTarget,
    ExportRequest,
    ExportStatus,
    MetaApp,
)
from chalicelib.observability import logger
from chalicelib.security.secret import Secret
from chalicelib.security.tokens import new_id
from chalicelib.security.webhook_signatures import (
    SignatureError,
    verify_signed_request,
    verify_tiktok_signature,
)
from chalicelib.services.audit import AuditLog
from chalicelib.services.ports import AccountStore, ConnectionStore

__all__ = ["PrivacyService", "PrivacyStore", "WebhookRejectedError"]

TIKTOK_ACK_ONLY: Final = frozenset(
    {
        "video.upload.failed",
        "video.publish.completed",
        "portability.download.ready",
        "post.publish.failed",
        "post.publish.complete",
        "post.publish.inbox_delivered",
        "post.publish.publicly_available",
        "post.publish.no_longer_publicaly_available",
        "post.publish.no_longer_publicly_available",
    }
)


class WebhookRejectedError(InvalidInputError):
    """A callback we cannot verify. Its message is the same whatever the reason."""

    code = "invalid_signature"

    def __init__(self) -> None:
        super().__init__("The request could not be verified.")


class PrivacyStore(Protocol):
    def create_deletion(self, request: DeletionRequest) -> None: ...
    def get_deletion(self, code: str) -> DeletionRequest | None: ...
    def create_export(self, export: ExportRequest) -> None: ...
    def get_export(self, export_id: str) -> ExportRequest | None: ...
    def recent_exports(self, member_id: str, limit: int) -> list[ExportRequest]: ...
    def claim_marker(self, key_hash: str, outcome: str, now: datetime, window: timedelta) -> str | None: ...
    def release_marker(self, key_hash: str) -> None: ...


class AccountIndex(Protocol):
    def find_by_platform_account(self, platform: Platform, account_id: str) -> list[Connection]: ...


@dataclass(frozen=True)
class CallbackSubject:
    """Whom a callback concerns: a person (app-scoped user id), a Page (``profile_id``), or both.

    Meta may report a Page removing the app as ``user_id: "0"`` with the Page's id in ``profile_id``
    (platforms/meta.md §6.1, [C]); a real user id with a ``profile_id`` is read as both.
    """

    user_id: str | None
    profile_id: str | None = None

    @classmethod
    def of(cls, user_id: str, profile_id: object) -> CallbackSubject | None:
        """None when there is nobody to look for (``user_id`` "0" and no usable ``profile_id``)."""
        profile = (
            str(profile_id) if isinstance(profile_id, str | int) and not isinstance(profile_id, bool) else ""
        )
        profile_usable = profile not in ("", "0") and len(profile) <= 64
        person = user_id if user_id not in ("", "0") else None
        if person is None and not profile_usable:
            return None
        return cls(person, profile if profile_usable else None)


class Disconnector(Protocol):
    def mark_disconnected(self, connection: Connection, reason: str) -> bool: ...


class Revoker(Protocol):
    """Revokes a connection's grant at the platform unless another live connection still uses it."""

    def revoke_at_platform(self, connection: Connection, sealed: SealedTokens) -> bool: ...
    def release_grant(self, connection: Connection, sealed: SealedTokens) -> Revocation: ...


class PrivacyQueue(Protocol):
    def send(self, body: dict[str, str]) -> None: ...


class LinkSigner(Protocol):
    def link(self, key: str, lifetime: timedelta) -> str: ...


class PrivacyService:
    def __init__(
        self,
        store: PrivacyStore,
        connections: ConnectionStore,
        accounts: AccountStore,
        accounts_index: AccountIndex,
        disconnector: Disconnector,
        revoker: Revoker,
        queue: Callable[[], PrivacyQueue],
        links: Callable[[], LinkSigner],
        secret: Callable[[str], Secret | None],
        audit: AuditLog,
        *,
        public_base_url: str,
        tiktok_client_key: str | None,
        deauthorized_delay: timedelta,
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._connections = connections
        self._accounts = accounts
        self._accounts_index = accounts_index
        self._disconnector = disconnector
        self._revoker = revoker
        self._queue = queue
        self._links = links
        self._secret = secret
        self._audit = audit
        self._base_url = public_base_url
        self._tiktok_client_key = tiktok_client_key
        self._delay = deauthorized_delay
        self._now = clock

    # --- Meta and Threads callbacks ------------------------------------------------------------------

    def meta_data_deletion(self, app: MetaApp, raw_body: bytes) -> dict[str, str]:
        """Meta's data-deletion callback: a deletion request, its status URL and confirmation code."""
        subject, marker = self._signed_request(app, raw_body, "data-deletion")
        code = new_confirmation_code()
        seen = self._store.claim_marker(marker, code, self._now(), WEBHOOK_REPLAY_WINDOW)
        if seen:  # a redelivery: the same answer as the first time
            return self._deletion_answer(seen)
        try:
            targets = tuple(_target(connection) for connection in self._find(app.platforms, subject))
            self._create_deletion(code, app.deletion_source, targets, delay=timedelta(0))
        except Exception:
            self._store.release_marker(marker)
            raise
        return self._deletion_answer(code)

    def meta_deauthorize(self, app: MetaApp, raw_body: bytes) -> None:
        """Meta's deauthorize callback: revoke, delete the tokens, mark disconnected, schedule deletion."""
        subject, marker = self._signed_request(app, raw_body, "deauthorize")
        if self._store.claim_marker(marker, "deauthorized", self._now(), WEBHOOK_REPLAY_WINDOW) is not None:
            return
        try:
            disconnected = self._disconnect(app.platforms, subject, revoke=True, reason="app_removed")
            if disconnected:
                self._create_deletion(
                    new_confirmation_code(), app.deauthorized_source, disconnected, self._delay
                )
        except Exception:
            self._store.release_marker(marker)
            raise

    def _signed_request(self, app: MetaApp, raw_body: bytes, kind: str) -> tuple[CallbackSubject, str]:
        secret = self._secret(app.secret_name)
        try:
            form = urllib.parse.parse_qs(raw_body.decode("utf-8"), strict_parsing=False)
        except UnicodeDecodeError:
            form = {}
        values = form.get("signed_request", [])
        if secret is None or len(values) != 1:
            self._reject(f"{app.value} {kind}", "not configured" if secret is None else "no signed_request")
        try:
            verified = verify_signed_request(values[0], secret, self._now(), max_age=WEBHOOK_REPLAY_WINDOW)
        except SignatureError as exc:
            self._reject(f"{app.value} {kind}", exc.reason)
        subject = CallbackSubject.of(verified.user_id, verified.payload.get("profile_id"))
        if subject is None:
            self._reject(f"{app.value} {kind}", "user_id 0 without a usable profile_id")
        return subject, _marker(f"{app.value}\n{kind}\n{values[0]}".encode())

    # --- TikTok ---------------------------------------------------------------------------------------

    def tiktok_webhook(self, raw_body: bytes, signature_header: str | None) -> None:
        """Verifies before parsing; ``authorization.removed`` disconnects and schedules deletion."""
        secret = self._secret("tiktok_client_secret")
        if secret is None:
            self._reject("tiktok", "not configured")
        try:
            verify_tiktok_signature(raw_body, signature_header, secret, self._now())
        except SignatureError as exc:
            self._reject("tiktok", exc.reason)
        try:
            event = json.loads(raw_body)
            name = str(event["event"])
            content = json.loads(event.get("content") or "{}")
            if not isinstance(content, dict):
                raise ValueError("content is not an object")
        except (ValueError, KeyError, TypeError):
            self._reject("tiktok", "malformed body")
        if event.get("client_key") != self._tiktok_client_key:
            self._reject("tiktok", "another app's client_key")
        # TikTok retries with the same body (and a fresh signature): the body names the event.
        marker = _marker(b"tiktok\n" + raw_body)
        if self._store.claim_marker(marker, name, self._now(), WEBHOOK_REPLAY_WINDOW) is not None:
            logger.info("tiktok webhook redelivered", extra={"event": name})
            return
        try:
            self._route_tiktok(name, event, content)
        except Exception:
            self._store.release_marker(marker)
            raise

    def _route_tiktok(self, name: str, event: dict[str, Any], content: dict[str, Any]) -> None:
        if name == "authorization.removed":
            open_id = str(event.get("user_openid") or "")
            reason = f"authorization_removed_{content.get('reason', 0)}"
            disconnected = self._disconnect(
                (Platform.TIKTOK,), CallbackSubject(open_id), revoke=False, reason=reason
            )
            if disconnected:
                self._create_deletion(
                    new_confirmation_code(), DeletionSource.TIKTOK, disconnected, self._delay
                )
            logger.info("tiktok webhook", extra={"event": name, "connections": len(disconnected)})
            return
        # Publishing status events belong to the publish flow; until it listens, they are acknowledged.
        known = name in TIKTOK_ACK_ONLY
        logger.info("tiktok webhook", extra={"event": name if known else "unknown", "routed": "ack"})

    # --- members asking -------------------------------------------------------------------------------

    def request_deletion(self, caller: Caller, scope: str, member_id: str | None) -> DeletionRequest:
        """``creator_data``: the accounts a member connected; ``account``: that and the account itself."""
        member = self._subject(caller, member_id)
        if scope == "account" and member.role is Role.ADMIN:
            admins = [m for m in self._accounts.list_members(member.workspace_id) if m.role is Role.ADMIN]
            if [admin.id for admin in admins] == [member.id]:
                raise ConflictError("A workspace needs at least one admin.", code="last_admin")
        targets = tuple(
            _target(connection)
            for connection in self._connections.list_connections(member.workspace_id)
            if connection.owner_member_id == member.id
        )
        source = DeletionSource.ACCOUNT if scope == "account" else DeletionSource.CREATOR
        request = self._create_deletion(
            new_confirmation_code(),
            source,
            targets,
            timedelta(0),
            member=(member.workspace_id, member.id),
            requester_id=caller.member.id,
        )
        self._audit.by(caller, AuditAction.DELETION_REQUESTED, request.code, scope=scope)
        return request

    def schedule_deletion(
        self,
        source: DeletionSource,
        targets: tuple[DeletionTarget, ...],
        delay: timedelta,
        *,
        code: str,
        workspace_id: str,
        requester_id: str,
    ) -> DeletionRequest:
        """A deletion of a whole workspace's data (closure), run by the retention sweep once due."""
        return self._create_deletion(
            code, source, targets, delay, requester_id=requester_id, workspace_id=workspace_id
        )

    def deletion_status(self, code: str) -> DeletionRequest:
        request = self._store.get_deletion(code) if _plausible_code(code) else None
        if request is None:
            raise NotFoundError("There is no deletion request with this confirmation code.")
        return request

    def status_url(self, code: str) -> str:
        """The public status page for people (HTML); the JSON is at ``/api/privacy/deletions/{code}``."""
        return f"{self._base_url}/api/privacy/deletion-status/{code}"

    def request_export(self, caller: Caller, member_id: str | None) -> ExportRequest:
        member = self._subject(caller, member_id)
        export = ExportRequest(
            id=new_id(),
            workspace_id=member.workspace_id,
            member_id=member.id,
            status=ExportStatus.PENDING,
            requested_at=self._now(),
        )
        self._store.create_export(export)
        self._queue().send({"kind": "export", "id": export.id})
        self._audit.by(caller, AuditAction.EXPORT_REQUESTED, export.id)
        return export

    def export(self, caller: Caller, export_id: str) -> tuple[ExportRequest, str | None]:
        """The export and, once ready, a download link valid for an hour (only for whom it was made)."""
        export = self._store.get_export(export_id)
        if export is None or export.workspace_id != caller.workspace_id:
            raise NotFoundError("There is no such export.")
        if export.member_id != caller.member.id and not caller.may(Action.PRIVACY_MANAGE):
            raise NotFoundError("There is no such export.")
        return export, self._download_link(export)

    def recent_exports(self, caller: Caller, member_id: str | None) -> list[tuple[ExportRequest, str | None]]:
        """A member's newest exports first, each with a download link once ready.

        The caller's own, or (for whoever may act for others) a member's of the same workspace; any
        other ``member_id`` gets the same 404 as an unknown export, so member ids cannot be probed.
        """
        subject = caller.member.id
        if member_id is not None and member_id != subject:
            if (
                not caller.may(Action.PRIVACY_MANAGE)
                or self._accounts.get_member(caller.workspace_id, member_id) is None
            ):
                raise NotFoundError("There is no such export.")
            subject = member_id
        exports = self._store.recent_exports(subject, RECENT_EXPORTS)
        return [
            (export, self._download_link(export))
            for export in exports
            if export.workspace_id == caller.workspace_id
        ]

    def _download_link(self, export: ExportRequest) -> str | None:
        if export.status is ExportStatus.READY and export.object_key:
            return self._links().link(export.object_key, EXPORT_LINK_LIFETIME)
        return None

    # --- helpers --------------------------------------------------------------------------------------

    def _subject(self, caller: Caller, member_id: str | None) -> Member:
        """The caller, or (for whoever may act for others) a member of the caller's workspace."""
        if member_id is None or member_id == caller.member.id:
            return caller.member
        if not caller.may(Action.PRIVACY_MANAGE):
            raise PermissionDeniedError(
                "Only an admin can act for another member.", details={"required": Action.PRIVACY_MANAGE.value}
            )
        member = self._accounts.get_member(caller.workspace_id, member_id)
        if member is None or not member.active:
            raise NotFoundError("There is no such member.")
        return member

    def _find(self, platforms: tuple[Platform, ...], subject: CallbackSubject) -> list[Connection]:
        """The connections a callback concerns: the person's (by user id) and the Page's (by its id)."""
        found: dict[str, Connection] = {}
        for platform in platforms:
            if subject.user_id is not None:
                for connection in self._connections.find_by_platform_user(platform, subject.user_id):
                    found.setdefault(connection.id, connection)
            if subject.profile_id is not None:
                for connection in self._accounts_index.find_by_platform_account(platform, subject.profile_id):
                    found.setdefault(connection.id, connection)
        return list(found.values())

    def _disconnect(
        self, platforms: tuple[Platform, ...], subject: CallbackSubject, *, revoke: bool, reason: str
    ) -> tuple[DeletionTarget, ...]:
        found = []
        for connection in self._find(platforms, subject):
            found.append(_target(connection))
            if connection.status is ConnectionStatus.DISCONNECTED:
                continue
            revocation = Revocation(False)
            loaded = self._connections.get_connection(connection.workspace_id, connection.id)
            if revoke and loaded is not None:
                revocation = self._revoker.release_grant(connection, loaded[1])
            if self._disconnector.mark_disconnected(connection, reason):
                self._audit.record(
                    AuditAction.CONNECTION_DEAUTHORIZED,
                    workspace_id=connection.workspace_id,
                    actor_id=None,
                    target=connection.id,
                    details={
                        "platform": connection.platform.value,
                        "reason": reason,
                        **revocation.audit_details(),
                    },
                )
        return tuple(found)

    def _create_deletion(
        self,
        code: str,
        source: DeletionSource,
        targets: tuple[DeletionTarget, ...],
        delay: timedelta,
        *,
        member: tuple[str, str] | None = None,
        requester_id: str | None = None,
        workspace_id: str | None = None,
    ) -> DeletionRequest:
        now = self._now()
        request = DeletionRequest(
            code=code,
            source=source,
            status=DeletionStatus.PENDING,
            requested_at=now,
            due_at=now + delay,
            targets=targets,
            member=member,
            requester_id=requester_id,
            workspace_id=workspace_id,
        )
        self._store.create_deletion(request)
        if delay <= timedelta(0):
            self._queue().send({"kind": "deletion", "code": code})
        logger.info(
            "deletion requested",
            extra={"source": source.value, "connections": len(targets), "delay_days": delay.days},
        )
        return request

    def _deletion_answer(self, code: str) -> dict[str, str]:
        return {"url": self.status_url(code), "confirmation_code": code}

    def _reject(self, source: str, reason: str) -> NoReturn:
        logger.warning("webhook rejected", extra={"source": source, "reason": reason})
        raise WebhookRejectedError()


def new_confirmation_code() -> str:
    """Alphanumeric, as Meta asks, and unguessable: 128 random bits."""
    return secrets.token_hex(16).upper()


def _plausible_code(code: str) -> bool:
    return len(code) == 32 and all(ch in "0123456789ABCDEF" for ch in code)


def _marker(delivery: bytes) -> str:
    return hashlib.sha256(delivery).hexdigest()


def _target(connection: Connection) -> DeletionTarget:
    return DeletionTarget(
        connection.workspace_id, connection.id, connection.platform, connection.owner_member_id
    )
