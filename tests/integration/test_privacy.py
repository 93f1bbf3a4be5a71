"""Privacy callbacks over real HTTP: front, chalice local, the job clock's privacy worker, simulator."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator

import httpx
import pytest

from devstack.stack import HOST, LocalStack
from tests.integration.conftest import browser_cookie


def signed_request(user_id: str, secret: str = "sim-meta-app-secret") -> str:
    payload = {"algorithm": "HMAC-SHA256", "issued_at": int(time.time()), "user_id": user_id}
    encoded = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    signature = hmac.new(secret.encode(), encoded.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(signature).decode().rstrip("=") + "." + encoded


@pytest.fixture(scope="module")
def admin(stack: LocalStack) -> Iterator[httpx.Client]:
    assert stack.seeded is not None
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        signed_in = client.post(
            "/api/auth/sign-in",
            json={"email": stack.seeded.email, "password": stack.seeded.password.reveal()},
        )
        signed_in.raise_for_status()
        client.headers["Authorization"] = f"Bearer {signed_in.json()['access_token']}"
        yield client


def test_meta_data_deletion_over_http_gives_a_code_whose_status_completes(stack: LocalStack) -> None:
    with httpx.Client(base_url=stack.url, timeout=30) as public:
        answer = public.post(
            "/api/webhooks/meta/data-deletion", data={"signed_request": signed_request("4242")}
        )
        assert answer.status_code == 200, answer.text
        code = answer.json()["confirmation_code"]

        drained = httpx.post(f"http://{HOST}:{stack.ports.clock}/drain", timeout=60)
        assert drained.status_code == 200

        page = public.get(answer.json()["url"].replace(stack.url, ""))
        assert page.status_code == 200
        assert page.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "data-status='completed'" in page.text
        status = public.get(f"/api/privacy/deletions/{code}")
        assert status.json()["status"] == "completed"
        assert status.json()["confirmation_code"] == code

        forged = public.post(
            "/api/webhooks/meta/data-deletion", data={"signed_request": signed_request("4242", "wrong")}
        )
        assert forged.status_code == 400
        assert forged.json()["error"]["code"] == "invalid_signature"


def test_tiktok_delivery_from_the_simulator_is_accepted_after_a_disconnect(
    stack: LocalStack, admin: httpx.Client
) -> None:
    sim = f"http://{HOST}:{stack.ports.simulator}"
    # The simulator signs webhooks with its own clock, which other tests move forward (Threads only
    # refreshes day-old tokens); TikTok's 5-minute window needs it back on wall time.
    httpx.post(f"{sim}/_sim/reset", json={}).raise_for_status()
    httpx.post(
        f"{sim}/_sim/knobs", json={"auto_approve": True, "next_user": "leo@example.test"}
    ).raise_for_status()
    started = admin.post("/api/oauth/tiktok/start")
    consent = httpx.get(started.json()["authorization_url"], follow_redirects=False)
    callback = httpx.get(consent.headers["location"], headers=browser_cookie(started), timeout=30)
    assert callback.status_code == 200
    connection = next(c for c in admin.get("/api/connections").json()["items"] if c["platform"] == "tiktok")
    assert admin.delete(f"/api/connections/{connection['id']}").status_code == 204

    delivery = httpx.get(f"{sim}/_sim/webhooks").json()["webhooks"][-1]
    response = httpx.post(
        f"{stack.url}/api/webhooks/tiktok", content=delivery["body"].encode(), headers=delivery["headers"]
    )

    assert response.status_code == 200, response.text
    again = httpx.post(
        f"{stack.url}/api/webhooks/tiktok", content=delivery["body"].encode(), headers=delivery["headers"]
    )
    assert again.status_code == 200
