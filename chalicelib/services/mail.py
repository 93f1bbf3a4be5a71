"""Email the product sends, and the port it goes out through."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str


class Mailer(Protocol):
    def send(self, email: Email) -> None: ...


def invitation_email(to: str, workspace_name: str, role: str, link: str) -> Email:
    return Email(
        to=to,
        subject=f"You're invited to {workspace_name} on CreatorDeck",
        text=(
            f"You have been invited to join {workspace_name} on CreatorDeck as {role}.\n\n"
            f"Accept the invitation and choose your password here (the link works once, for 7 days):\n"
            f"{link}\n\nIf you did not expect this, ignore this email."
        ),
    )


def password_reset_email(to: str, link: str) -> Email:
    return Email(
        to=to,
        subject="Reset your CreatorDeck password",
        text=(
            "Someone asked to reset the password of your CreatorDeck account.\n\n"
            f"Choose a new password here (the link works once, for 1 hour):\n{link}\n\n"
            "If it was not you, ignore this email: your password stays as it is."
        ),
    )
