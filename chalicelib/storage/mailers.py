"""Where mail goes: SES in AWS, a local outbox folder on the local stack."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

from chalicelib.services.mail import Email


class SesMailer:
    def __init__(self, ses_client: Any, sender: str) -> None:
        self._ses = ses_client
        self._sender = sender

    def send(self, email: Email) -> None:
        self._ses.send_email(
            Source=self._sender,
            Destination={"ToAddresses": [email.to]},
            Message={
                "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": email.text, "Charset": "UTF-8"}},
            },
        )


class OutboxMailer:
    """Writes each message as a JSON file; the local stack shows the folder and tests read it."""

    def __init__(self, folder: Path, sender: str) -> None:
        self._folder = folder
        self._sender = sender

    def send(self, email: Email) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.json"
        message = {"from": self._sender, "to": email.to, "subject": email.subject, "text": email.text}
        (self._folder / name).write_text(json.dumps(message, indent=2))


def read_outbox(folder: Path) -> list[dict[str, str]]:
    """Messages in the outbox, oldest first."""
    if not folder.is_dir():
        return []
    return [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))]
