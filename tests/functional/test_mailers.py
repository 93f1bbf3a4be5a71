"""Mail leaves through SES in AWS (moto here) and through the outbox folder on the local stack."""

from __future__ import annotations

from pathlib import Path

import boto3

from chalicelib.services.mail import invitation_email
from chalicelib.settings import Settings
from chalicelib.storage.mailers import OutboxMailer, SesMailer, read_outbox


def test_ses_sends_from_the_verified_sender(aws: Settings) -> None:
    ses = boto3.client("ses", region_name=aws.aws_region)
    ses.verify_email_identity(EmailAddress="no-reply@creatordeck.local")

    SesMailer(ses, "CreatorDeck <no-reply@creatordeck.local>").send(
        invitation_email(
            "ana@example.com", "Studio", "viewer", "https://app.example.com/accept-invitation#token=t"
        )
    )

    assert ses.get_send_quota()["SentLast24Hours"] == 1


def test_the_outbox_keeps_each_message_in_order(tmp_path: Path) -> None:
    outbox = OutboxMailer(tmp_path / "outbox", "CreatorDeck <no-reply@creatordeck.local>")

    outbox.send(invitation_email("a@example.com", "Studio", "viewer", "https://x/1"))
    outbox.send(invitation_email("b@example.com", "Studio", "admin", "https://x/2"))

    messages = read_outbox(tmp_path / "outbox")
    assert [m["to"] for m in messages] == ["a@example.com", "b@example.com"]
    assert "https://x/2" in messages[1]["text"]
