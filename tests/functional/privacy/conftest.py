"""Privacy flows in-process: the app on moto, the platforms as the simulator, the privacy worker run here."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
from typing import Any

import boto3
import pytest

from chalicelib.settings import Settings
from devstack.lambda_events import LambdaContext, sqs_event
from tests.functional.connections.conftest import (  # noqa: F401 - fixtures shared with connections
    Flow,
    browser,
    flow,
    recorder,
    sim,
    team,
    wired,
)
from tests.functional.team import Persona

META_SECRET = "sim-meta-app-secret"
TIKTOK_SECRET = "sim-tiktok-client-secret"
TIKTOK_CLIENT_KEY = "sim-tiktok-client-key"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def b64url(raw: bytes, *, padded: bool) -> str:
    encoded = base64.urlsafe_b64encode(raw).decode()
    return encoded if padded else encoded.rstrip("=")


def signed_request(payload: dict[str, Any], *, padded: bool = False, secret: str = META_SECRET) -> str:
    encoded_payload = b64url(json.dumps(payload).encode(), padded=padded)
    signature = hmac.new(secret.encode(), encoded_payload.encode(), hashlib.sha256).digest()
    return f"{b64url(signature, padded=padded)}.{encoded_payload}"


def meta_payload(user_id: str, **extra: Any) -> dict[str, Any]:
    return {"algorithm": "HMAC-SHA256", "issued_at": int(time.time()), "user_id": user_id, **extra}


def post_form(http: Any, path: str, fields: dict[str, str]) -> Any:
    return http.post(path, headers=FORM, body=urllib.parse.urlencode(fields))


def tiktok_delivery(
    open_id: str,
    event: str = "authorization.removed",
    content: dict[str, Any] | None = None,
    *,
    at: int | None = None,
) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(
        {
            "client_key": TIKTOK_CLIENT_KEY,
            "event": event,
            "create_time": int(time.time()),
            "user_openid": open_id,
            "content": json.dumps(content if content is not None else {"reason": 1}),
        }
    ).encode()
    stamp = at if at is not None else int(time.time())
    mac = hmac.new(TIKTOK_SECRET.encode(), str(stamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/json", "TikTok-Signature": f"t={stamp},s={mac}"}


def run_privacy_worker(settings: Settings) -> int:
    """What the SQS event source mapping does: hand queued privacy messages to the app's worker."""
    import app

    sqs = boto3.client("sqs", region_name=settings.aws_region)
    url = settings.privacy_queue_url
    handled = 0
    for _ in range(20):
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get(
            "Messages", []
        )
        if not received:
            return handled
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        result = app.privacy_worker(sqs_event(arn, received), LambdaContext(function_name="privacy-worker"))
        assert result == {"batchItemFailures": []}, result
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(received)],
        )
        handled += len(received)
    return handled


def stored_connection(workspace_id: str, connection_id: str) -> Any:
    from chalicelib.storage.connections import ConnectionsRepository

    return ConnectionsRepository().get_connection(workspace_id, connection_id)


def connect(driver: Flow, persona: Persona, platform: str, user: str) -> dict[str, Any]:
    driver.knobs(next_user=user)
    page = driver.connect(persona, platform)
    assert page.status_code == 200, page.body
    [connection] = [c for c in driver.connections(persona) if c["platform"] == platform]
    return connection


def platform_user_id(persona: Persona, connection_id: str) -> str:
    loaded = stored_connection(persona.workspace_id, connection_id)
    assert loaded is not None
    return str(loaded[0].platform_user_id)


@pytest.fixture
def settings(wired: Settings) -> Settings:  # noqa: F811 - the fixture imported above
    return wired
