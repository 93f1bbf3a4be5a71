"""Workspaces, members, invitations, sessions, API keys and sign-in guards, in the accounts table.

Key patterns (table ``accounts``):

===========================  ====================  =====================================  ==========
item                         pk                    sk                                     gsi1pk
===========================  ====================  =====================================  ==========
workspace (name, retention)  WORKSPACE#<id>        WORKSPACE
member (role, alert e-mails) WORKSPACE#<id>        MEMBER#<id>
invitation (7 d TTL)         WORKSPACE#<id>        INVITATION#<id>                        INVITE#<sha256>
email claim (unique email)   EMAIL#<address>       EMAIL
session family (30 d TTL)    SESSION#<id>          SESSION                                MEMBER#<id>
API key                      APIKEY#<prefix>       APIKEY                                 MEMBER#<id>
password reset (1 h TTL)     RESET#<sha256>        RESET                                  MEMBER#<id>
sign-in guard (lockout)      SIGNIN#<sha256(email)> GUARD
sign-in rate per IP          SIGNINIP#<ip>#<window> RATE
===========================  ====================  =====================================  ==========

Access patterns: authenticate a session (GetItem SESSION), an API key (one conditional
UpdateItem on APIKEY that also records last use), then the member (GetItem): two calls.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

from pynamodb.attributes import (
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.alert_emails import AlertEmails
from chalicelib.domain.errors import ConflictError, NotFoundError
from chalicelib.domain.identity import (
    ApiKey,
    Invitation,
    InvitationStatus,
    Member,
    MemberStatus,
    SessionRecord,
    Workspace,
)
from chalicelib.domain.permissions import Action, Role
from chalicelib.storage.base import (
    TableModel,
    epoch,
    get_live,
    is_conditional_failure,
    is_live,
    shared_connection,
)
from chalicelib.storage.models import AccountsTable

Clock = Callable[[], datetime]
_M = TypeVar("_M", bound=TableModel)


class WorkspaceItem(AccountsTable):
    name = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    retention_days = NumberAttribute(null=True)  # absent: the default retention


class MemberItem(AccountsTable):
    member_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute()
    status = UnicodeAttribute()
    password_hash = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    # Alert kind -> e-mail wanted; absent (or a kind missing from it): the defaults of AlertEmails.
    alert_emails: MapAttribute[str, Any] = MapAttribute(null=True)


class EmailClaimItem(AccountsTable):
    member_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()


class InvitationItem(AccountsTable):
    invitation_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    email = UnicodeAttribute()
    role = UnicodeAttribute()
    status = UnicodeAttribute()
    invited_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class SessionItem(AccountsTable):
    session_id = UnicodeAttribute()
    member_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    secret_hash = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    revoked_at = UTCDateTimeAttribute(null=True)


class ApiKeyItem(AccountsTable):
    member_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    name = UnicodeAttribute()
    secret_hash = UnicodeAttribute()
    scopes = UnicodeSetAttribute()
    created_at = UTCDateTimeAttribute()
    last_used_at = UTCDateTimeAttribute(null=True)
    revoked_at = UTCDateTimeAttribute(null=True)


class ResetItem(AccountsTable):
    member_id = UnicodeAttribute()
    workspace_id = UnicodeAttribute()
    used_at = UTCDateTimeAttribute(null=True)


class SignInGuardItem(AccountsTable):
    failures = NumberAttribute(default=0)
    locked_until = NumberAttribute(null=True)


class RateItem(AccountsTable):
    hits = NumberAttribute(default=0)


def _key(kind: str, value: str) -> str:
    return f"{kind}#{value}"


class AccountsRepository:
    """Everything about identity, in the accounts table."""

    def __init__(self, clock: Clock | None = None) -> None:
        self._now = clock or (lambda: datetime.now(UTC))

    # --- workspaces and members -------------------------------------------------------

    def create_workspace(self, workspace: Workspace) -> None:
        WorkspaceItem(
            _key("WORKSPACE", workspace.id),
            "WORKSPACE",
            name=workspace.name,
            created_at=workspace.created_at,
            retention_days=workspace.retention_days,
        ).save(condition=WorkspaceItem.pk.does_not_exist())

    def get_workspace(self, workspace_id: str) -> Workspace | None:
        item = get_live(WorkspaceItem, _key("WORKSPACE", workspace_id), "WORKSPACE")
        return _workspace(workspace_id, item) if item else None

    def update_workspace(
        self, workspace_id: str, *, name: str | None = None, retention_days: int | None = None
    ) -> Workspace:
        """Changes the given settings (None: leave as is) and returns the workspace as now stored."""
        item = WorkspaceItem(_key("WORKSPACE", workspace_id), "WORKSPACE")
        actions: list[Any] = []
        if name is not None:
            actions.append(WorkspaceItem.name.set(name))
        if retention_days is not None:
            actions.append(WorkspaceItem.retention_days.set(retention_days))
        if not actions:
            found = self.get_workspace(workspace_id)
            if found is None:
                raise NotFoundError("There is no such workspace.")
            return found
        try:
            item.update(actions=actions, condition=WorkspaceItem.pk.exists())
        except UpdateError as exc:
            if is_conditional_failure(exc):
                raise NotFoundError("There is no such workspace.") from None
            raise
        return _workspace(workspace_id, item)

    def get_member(self, workspace_id: str, member_id: str) -> Member | None:
        item = get_live(MemberItem, _key("WORKSPACE", workspace_id), _key("MEMBER", member_id))
        return _member(item) if item else None

    def find_member_by_email(self, email: str) -> tuple[Member, str | None] | None:
        """The member with this email and their password hash."""
        claim = get_live(EmailClaimItem, _key("EMAIL", email), "EMAIL")
        if claim is None:
            return None
        item = get_live(MemberItem, _key("WORKSPACE", claim.workspace_id), _key("MEMBER", claim.member_id))
        if item is None or item.status != MemberStatus.ACTIVE:
            return None
        return _member(item), item.password_hash

    def email_taken(self, email: str) -> bool:
        return get_live(EmailClaimItem, _key("EMAIL", email), "EMAIL") is not None

    def list_members(self, workspace_id: str) -> list[Member]:
        items = MemberItem.query(
            _key("WORKSPACE", workspace_id),
            MemberItem.sk.startswith("MEMBER#"),
            filter_condition=MemberItem.status == MemberStatus.ACTIVE.value,
        )
        return sorted((_member(item) for item in items), key=lambda member: member.created_at)

    def change_role(self, member: Member, role: Role) -> None:
        MemberItem(_key("WORKSPACE", member.workspace_id), _key("MEMBER", member.id)).update(
            actions=[MemberItem.role.set(role.value)],
            condition=MemberItem.status == MemberStatus.ACTIVE.value,
        )

    def remove_member(self, member: Member) -> None:
        """Marks the member removed and frees their email; their sessions are revoked separately."""
        with TransactWrite(connection=shared_connection()) as transaction:
            transaction.update(
                MemberItem(_key("WORKSPACE", member.workspace_id), _key("MEMBER", member.id)),
                actions=[
                    MemberItem.status.set(MemberStatus.REMOVED.value),
                    MemberItem.password_hash.remove(),
                ],
            )
            transaction.delete(EmailClaimItem(_key("EMAIL", member.email), "EMAIL"))

    def set_password_hash(self, member: Member, password_hash: str) -> None:
        MemberItem(_key("WORKSPACE", member.workspace_id), _key("MEMBER", member.id)).update(
            actions=[MemberItem.password_hash.set(password_hash)]
        )

    def set_alert_emails(self, member: Member, alert_emails: AlertEmails) -> bool:
        """Stores the member's alert e-mail switches; False when the member is no longer active."""
        try:
            MemberItem(_key("WORKSPACE", member.workspace_id), _key("MEMBER", member.id)).update(
                actions=[MemberItem.alert_emails.set(alert_emails.as_flags())],
                condition=MemberItem.status == MemberStatus.ACTIVE.value,
            )
        except UpdateError as exc:
            if is_conditional_failure(exc):
                return False
            raise
        return True

    # --- invitations ------------------------------------------------------------------

    def create_invitation(self, invitation: Invitation, token_hash: str) -> None:
        InvitationItem(
            _key("WORKSPACE", invitation.workspace_id),
            _key("INVITATION", invitation.id),
            gsi1pk=_key("INVITE", token_hash),
            gsi1sk="INVITE",
            invitation_id=invitation.id,
            workspace_id=invitation.workspace_id,
            email=invitation.email,
            role=invitation.role.value,
            status=invitation.status.value,
            invited_by=invitation.invited_by,
            created_at=invitation.created_at,
            expires_at=invitation.expires_at,
        ).save()

    def find_invitation(self, token_hash: str) -> Invitation | None:
        for item in InvitationItem.gsi1.query(_key("INVITE", token_hash), limit=1):
            return self._invitation(cast(InvitationItem, item))
        return None

    def get_invitation(self, workspace_id: str, invitation_id: str) -> Invitation | None:
        item = get_live(InvitationItem, _key("WORKSPACE", workspace_id), _key("INVITATION", invitation_id))
        return self._invitation(item) if item else None

    def list_invitations(self, workspace_id: str) -> list[Invitation]:
        items = InvitationItem.query(
            _key("WORKSPACE", workspace_id), InvitationItem.sk.startswith("INVITATION#")
        )
        return sorted((self._invitation(item) for item in items), key=lambda i: i.created_at, reverse=True)

    def revoke_invitation(self, invitation: Invitation) -> bool:
        try:
            InvitationItem(
                _key("WORKSPACE", invitation.workspace_id), _key("INVITATION", invitation.id)
            ).update(
                actions=[InvitationItem.status.set(InvitationStatus.REVOKED.value)],
                condition=InvitationItem.status == InvitationStatus.PENDING.value,
            )
        except UpdateError as exc:
            if is_conditional_failure(exc):
                return False
            raise
        return True

    def accept_invitation(self, invitation: Invitation, member: Member, password_hash: str) -> None:
        """Single use, all or nothing: the invitation flips to accepted only if still pending and
        unexpired, and the member is created only if their email is free."""
        now = self._now()
        try:
            with TransactWrite(connection=shared_connection()) as transaction:
                transaction.update(
                    InvitationItem(
                        _key("WORKSPACE", invitation.workspace_id), _key("INVITATION", invitation.id)
                    ),
                    actions=[
                        InvitationItem.status.set(InvitationStatus.ACCEPTED.value),
                        InvitationItem.gsi1pk.remove(),
                        InvitationItem.gsi1sk.remove(),
                    ],
                    condition=(InvitationItem.status == InvitationStatus.PENDING.value)
                    & (InvitationItem.expires_at > now),
                )
                transaction.save(
                    MemberItem(
                        _key("WORKSPACE", member.workspace_id),
                        _key("MEMBER", member.id),
                        member_id=member.id,
                        workspace_id=member.workspace_id,
                        email=member.email,
                        name=member.name,
                        role=member.role.value,
                        status=member.status.value,
                        password_hash=password_hash,
                        created_at=member.created_at,
                    ),
                    condition=MemberItem.pk.does_not_exist(),
                )
                transaction.save(
                    EmailClaimItem(
                        _key("EMAIL", member.email),
                        "EMAIL",
                        member_id=member.id,
                        workspace_id=member.workspace_id,
                    ),
                    condition=EmailClaimItem.pk.does_not_exist(),
                )
        except TransactWriteError as exc:
            if is_conditional_failure(exc):
                raise ConflictError(
                    "This invitation can no longer be used.", code="invitation_unusable"
                ) from None
            raise

    def _invitation(self, item: InvitationItem) -> Invitation:
        status = InvitationStatus(item.status)
        expires_at = item.expires_at or self._now()
        if status is InvitationStatus.PENDING and not is_live(expires_at, self._now()):
            status = InvitationStatus.EXPIRED
        return Invitation(
            id=item.invitation_id,
            workspace_id=item.workspace_id,
            email=item.email,
            role=Role(item.role),
            status=status,
            invited_by=item.invited_by,
            created_at=item.created_at,
            expires_at=expires_at,
        )

    # --- sessions -----------------------------------------------------------------------

    def create_session(self, session_id: str, member: Member, secret_hash: str, lifetime: timedelta) -> None:
        now = self._now()
        SessionItem(
            _key("SESSION", session_id),
            "SESSION",
            gsi1pk=_key("MEMBER", member.id),
            gsi1sk=_key("SESSION", session_id),
            session_id=session_id,
            member_id=member.id,
            workspace_id=member.workspace_id,
            secret_hash=secret_hash,
            created_at=now,
            expires_at=now + lifetime,
        ).save()

    def get_session(self, session_id: str) -> SessionRecord | None:
        item = get_live(SessionItem, _key("SESSION", session_id), "SESSION")
        if item is None or not item.is_live(self._now()):
            return None
        return SessionRecord(
            session_id=item.session_id,
            member_id=item.member_id,
            workspace_id=item.workspace_id,
            secret_hash=item.secret_hash,
            revoked_at=item.revoked_at,
        )

    def rotate_session(self, session_id: str, old_hash: str, new_hash: str, lifetime: timedelta) -> bool:
        """Swap the refresh secret, only if ``old_hash`` is still the current one."""
        try:
            SessionItem(_key("SESSION", session_id), "SESSION").update(
                actions=[
                    SessionItem.secret_hash.set(new_hash),
                    SessionItem.expires_at.set(self._now() + lifetime),
                ],
                condition=(SessionItem.secret_hash == old_hash) & SessionItem.revoked_at.does_not_exist(),
            )
        except UpdateError as exc:
            if is_conditional_failure(exc):
                return False
            raise
        return True

    def revoke_session(self, session_id: str) -> None:
        try:
            SessionItem(_key("SESSION", session_id), "SESSION").update(
                actions=[SessionItem.revoked_at.set(self._now())], condition=SessionItem.pk.exists()
            )
        except UpdateError as exc:
            if not is_conditional_failure(exc):
                raise

    def revoke_member_sessions(self, member_id: str) -> int:
        revoked = 0
        for item in SessionItem.gsi1.query(
            _key("MEMBER", member_id), SessionItem.gsi1sk.startswith("SESSION#")
        ):
            self.revoke_session(cast(SessionItem, item).session_id)
            revoked += 1
        return revoked

    # --- API keys -----------------------------------------------------------------------

    def create_api_key(self, key: ApiKey, secret_hash: str) -> None:
        ApiKeyItem(
            _key("APIKEY", key.prefix),
            "APIKEY",
            gsi1pk=_key("MEMBER", key.member_id),
            gsi1sk=f"APIKEY#{key.created_at.isoformat()}#{key.prefix}",
            member_id=key.member_id,
            workspace_id=key.workspace_id,
            name=key.name,
            secret_hash=secret_hash,
            scopes={scope.value for scope in key.scopes},
            created_at=key.created_at,
        ).save(condition=ApiKeyItem.pk.does_not_exist())

    def list_api_keys(self, member_id: str) -> list[ApiKey]:
        items = ApiKeyItem.gsi1.query(_key("MEMBER", member_id), ApiKeyItem.gsi1sk.startswith("APIKEY#"))
        return [_api_key(cast(ApiKeyItem, item)) for item in items]

    def get_api_key(self, prefix: str) -> ApiKey | None:
        item = get_live(ApiKeyItem, _key("APIKEY", prefix), "APIKEY")
        return _api_key(item) if item else None

    def use_api_key(self, prefix: str, secret_hash: str) -> ApiKey | None:
        """One call: matches the secret, refuses revoked keys, and records the use."""
        item = ApiKeyItem(_key("APIKEY", prefix), "APIKEY")
        try:
            item.update(
                actions=[ApiKeyItem.last_used_at.set(self._now())],
                condition=(ApiKeyItem.secret_hash == secret_hash) & ApiKeyItem.revoked_at.does_not_exist(),
            )
        except UpdateError as exc:
            if is_conditional_failure(exc):
                return None
            raise
        return _api_key(item)

    def revoke_api_key(self, member_id: str, prefix: str) -> bool:
        try:
            ApiKeyItem(_key("APIKEY", prefix), "APIKEY").update(
                actions=[ApiKeyItem.revoked_at.set(self._now())],
                condition=(ApiKeyItem.member_id == member_id) & ApiKeyItem.revoked_at.does_not_exist(),
            )
        except UpdateError as exc:
            if is_conditional_failure(exc):
                return False
            raise
        return True

    # --- password resets ------------------------------------------------------------------

    def create_reset(self, token_hash: str, member: Member, lifetime: timedelta) -> None:
        ResetItem(
            _key("RESET", token_hash),
            "RESET",
            gsi1pk=_key("MEMBER", member.id),  # so an account deletion finds it before its TTL does
            gsi1sk=_key("RESET", token_hash),
            member_id=member.id,
            workspace_id=member.workspace_id,
            expires_at=self._now() + lifetime,
        ).save()

    def consume_reset(self, token_hash: str) -> tuple[str, str] | None:
        """(workspace id, member id) of an unused, unexpired reset token, now used up."""
        now = self._now()
        item = ResetItem(_key("RESET", token_hash), "RESET")
        try:
            item.update(
                actions=[ResetItem.used_at.set(now)],
                condition=ResetItem.used_at.does_not_exist() & (ResetItem.expires_at > now),
            )
        except UpdateError as exc:
            if is_conditional_failure(exc):
                return None
            raise
        return item.workspace_id, item.member_id

    # --- brute-force guards ---------------------------------------------------------------

    def locked_until(self, email_hash: str) -> datetime | None:
        item = get_live(SignInGuardItem, _key("SIGNIN", email_hash), "GUARD")
        if item is None or item.locked_until is None:
            return None
        until = datetime.fromtimestamp(item.locked_until, UTC)
        return until if until > self._now() else None

    def record_failure(self, email_hash: str, threshold: int, lock_for: timedelta) -> datetime | None:
        """Counts a failed sign-in; returns the lock's end when this failure locks the account."""
        now = self._now()
        item = SignInGuardItem(_key("SIGNIN", email_hash), "GUARD")
        item.update(
            actions=[
                SignInGuardItem.failures.add(1),
                SignInGuardItem.expires_at.set(now + lock_for + timedelta(hours=1)),
            ]
        )
        if item.failures < threshold:
            return None
        until = now + lock_for
        item.update(actions=[SignInGuardItem.locked_until.set(epoch(until)), SignInGuardItem.failures.set(0)])
        return until

    def clear_failures(self, email_hash: str) -> None:
        SignInGuardItem(_key("SIGNIN", email_hash), "GUARD").delete()

    def count_ip_attempt(self, ip: str, window: timedelta) -> int:
        now = self._now()
        bucket = epoch(now) // int(window.total_seconds())
        item = RateItem(_key("SIGNINIP", f"{ip}#{bucket}"), "RATE")
        item.update(actions=[RateItem.hits.add(1), RateItem.expires_at.set(now + window * 2)])
        return int(item.hits)


def _workspace(workspace_id: str, item: WorkspaceItem) -> Workspace:
    retention_days = item.retention_days
    return Workspace(
        id=workspace_id,
        name=item.name,
        created_at=item.created_at,
        retention_days=int(retention_days) if retention_days is not None else None,
    )


def _member(item: MemberItem) -> Member:
    stored = item.alert_emails.as_dict() if item.alert_emails is not None else {}
    return Member(
        id=item.member_id,
        workspace_id=item.workspace_id,
        email=item.email,
        name=item.name,
        role=Role(item.role),
        status=MemberStatus(item.status),
        created_at=item.created_at,
        alert_emails=AlertEmails.from_flags(stored),
    )


def _api_key(item: ApiKeyItem) -> ApiKey:
    return ApiKey(
        id=str(item.pk).removeprefix("APIKEY#"),
        member_id=item.member_id,
        workspace_id=item.workspace_id,
        name=item.name,
        prefix=str(item.pk).removeprefix("APIKEY#"),
        scopes=frozenset(
            Action(scope) for scope in (item.scopes or set()) if scope in Action._value2member_map_
        ),
        created_at=item.created_at,
        last_used_at=item.last_used_at,
        revoked_at=item.revoked_at,
    )
