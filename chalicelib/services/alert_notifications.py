"""E-mailing a newly recorded alert to the members who asked for that kind of alert.

Who is mailed: active members who can see the account (a ``creator`` only the accounts they
connected, any other role with ``connections.read`` every account of the workspace) and whose alert
e-mail switch for the alert's kind is on. Callers hand over only alerts that were new when recorded,
so a redelivered message never mails the same alert twice. Mail is best effort: a failed send is
logged and never fails the sync or the token refresh that raised the alert.
"""

from __future__ import annotations

from typing import Final, Protocol

from chalicelib.domain.connections import Alert, Connection
from chalicelib.domain.identity import Member
from chalicelib.domain.permissions import Action, Role, allows
from chalicelib.observability import logger
from chalicelib.services.mail import Email, Mailer

PLATFORM_NAMES: Final = {
    "tiktok": "TikTok",
    "instagram": "Instagram",
    "facebook": "Facebook",
    "threads": "Threads",
    "youtube": "YouTube",
}


class MemberDirectory(Protocol):
    def list_members(self, workspace_id: str) -> list[Member]: ...


class AlertNotifications:
    def __init__(self, members: MemberDirectory, mailer: Mailer, public_base_url: str) -> None:
        self._members = members
        self._mailer = mailer
        self._base_url = public_base_url

    def alert_raised(self, alert: Alert, connection: Connection) -> list[str]:
        """Mails one new alert about ``connection``; returns the addresses it was sent to."""
        recipients = sorted(
            member.email
            for member in self._members.list_members(alert.workspace_id)
            if member.alert_emails.wants(alert.kind) and sees_account(member, connection)
        )
        sent = []
        for address in recipients:
            try:
                self._mailer.send(alert_email(address, alert, self._base_url))
            except Exception as exc:  # one undeliverable address must not stop the others
                logger.warning(
                    "alert e-mail not sent", extra={"kind": alert.kind, "error": type(exc).__name__}
                )
                continue
            sent.append(address)
        return sent


def sees_account(member: Member, connection: Connection) -> bool:
    """Whether the member sees this account in the app (as GET /api/connections shows it)."""
    if not member.active or not allows(member.role, Action.CONNECTIONS_READ):
        return False
    return member.role is not Role.CREATOR or connection.owner_member_id == member.id


def alert_email(to: str, alert: Alert, base_url: str) -> Email:
    account = alert.account_name
    platform = PLATFORM_NAMES.get(alert.platform.value, alert.platform.value)
    subject, text, path = _WORDING.get(alert.kind, _GENERIC)
    return Email(
        to=to,
        subject=subject.format(account=account, platform=platform),
        text=(
            text.format(account=account, platform=platform)
            + f"\n\n{base_url}{path}\n\n"
            + "You get this e-mail because this kind of alert is switched on for you. "
            + f"Choose which alerts you get by e-mail in Settings:\n{base_url}/settings\n"
        ),
    )


# Subject, body and the page to open, per alert kind (account names only: no ids, no tokens).
_WORDING: Final[dict[str, tuple[str, str, str]]] = {
    "viral_post": (
        "A post by {account} on {platform} is taking off",
        "A recent post by {account} on {platform} is getting far more views than their posts usually "
        "get at the same age. See it on CreatorDeck:",
        "/alerts",
    ),
    "follower_spike": (
        "{account} is gaining followers fast on {platform}",
        "{account} on {platform} gained unusually many followers since yesterday. See the numbers:",
        "/alerts",
    ),
    "follower_drop": (
        "{account} is losing followers on {platform}",
        "{account} on {platform} lost unusually many followers since yesterday. See the numbers:",
        "/alerts",
    ),
    "sync_failed": (
        "CreatorDeck could not sync {account} on {platform}",
        "CreatorDeck tried several times and could not collect the latest numbers of {account} on "
        "{platform}. It will try again at the next scheduled sync; nothing collected so far is lost. "
        "If this keeps happening, reconnecting the account often helps:",
        "/connections",
    ),
    "needs_reauth": (
        "Reconnect {account} on {platform}",
        "CreatorDeck can no longer reach {account} on {platform}: the platform withdrew our access "
        "(the password may have changed, or the app was removed).\n\nSyncing is paused; nothing "
        "collected so far is deleted. Reconnect the account here:",
        "/connections",
    ),
}
_GENERIC: Final = (
    "New alert about {account} on {platform}",
    "There is a new alert about {account}:",
    "/alerts",
)
