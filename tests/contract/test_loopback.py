"""The simulator served over loopback HTTP: consent HTML driven with plain httpx, then the API."""

from __future__ import annotations

import hashlib
import html
import re
import urllib.parse
from collections.abc import Iterator

import httpx
import pytest

from simulator import Simulator, serve_in_thread
from tests.contract.conftest import TIKTOK_KEY, TIKTOK_SECRET, VERIFIER

REDIRECT = "http://127.0.0.1:9/callback/"


@pytest.fixture
def served() -> Iterator[tuple[Simulator, str]]:
    sim = Simulator()
    server, origin = serve_in_thread("127.0.0.1", 0, sim)
    try:
        yield sim, origin
    finally:
        server.shutdown()
        server.server_close()


def form_fields(page: str) -> list[tuple[str, str]]:
    fields = re.findall(r"<input type='hidden' name='([^']+)' value='([^']*)'>", page)
    return [(name, html.unescape(value)) for name, value in fields]


def test_consent_page_partial_grant_over_http_then_token_and_user_info(served):
    sim, origin = served
    urls = sim.base_urls(origin)
    params = {
        "client_key": TIKTOK_KEY,
        "response_type": "code",
        "scope": "user.info.basic,user.info.stats,video.list",
        "redirect_uri": REDIRECT,
        "state": "loop",
        "code_challenge": hashlib.sha256(VERIFIER.encode()).hexdigest(),
        "code_challenge_method": "S256",
    }
    with httpx.Client(timeout=5) as http:
        page = http.get(f"{urls['tiktok_auth']}/v2/auth/authorize/", params=params)
        assert page.status_code == 200
        assert "<select" in page.text
        assert "Approve" in page.text
        action = re.search(r"<form method='post' action='([^']+)'", page.text)
        assert action is not None
        users = re.findall(r"<option value='([^']+)'", page.text)
        form = [
            *form_fields(page.text),
            ("sim_user", users[1]),
            ("sim_scope", "video.list"),
            ("decision", "approve"),
        ]
        answer = http.post(
            origin + html.unescape(action.group(1)), data=dict(form) | {"sim_scope": "video.list"}
        )
        assert answer.status_code == 302
        callback = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.headers["location"]).query))
        assert callback["scopes"] == "user.info.basic,video.list"
        assert callback["state"] == "loop"
        tokens = http.post(
            f"{urls['tiktok_api']}/v2/oauth/token/",
            data={
                "client_key": TIKTOK_KEY,
                "client_secret": TIKTOK_SECRET,
                "code": callback["code"],
                "grant_type": "authorization_code",
                "redirect_uri": REDIRECT,
                "code_verifier": VERIFIER,
            },
        ).json()
        assert tokens["open_id"] == users[1]
        info = http.get(
            f"{urls['tiktok_api']}/v2/user/info/",
            params={"fields": "open_id,display_name"},
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )
        assert info.json()["data"]["user"]["open_id"] == users[1]


def test_close_timeout_mode_drops_the_connection(served):
    _, origin = served
    with httpx.Client(timeout=5) as http:
        http.post(f"{origin}/_sim/knobs", json={"timeout_next": 1, "timeout_mode": "close"})
        with pytest.raises(httpx.RemoteProtocolError):
            http.get(f"{origin}/tiktok-open/v2/user/info/")
        assert http.get(f"{origin}/tiktok-open/v2/user/info/").status_code == 401
