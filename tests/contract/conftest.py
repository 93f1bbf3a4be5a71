"""Contract tests: the simulator, mounted in-process, held to platforms/*.md."""

from __future__ import annotations

import base64
import hashlib
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from simulator import Knobs, Simulator

TIKTOK_KEY, TIKTOK_SECRET = "sim-tiktok-client-key", "sim-tiktok-client-secret"
META_APP, META_SECRET = "1000000000000001", "sim-meta-app-secret"
THREADS_APP, THREADS_SECRET = "2000000000000002", "sim-threads-app-secret"
GOOGLE_ID, GOOGLE_SECRET = "sim-client-1.apps.googleusercontent.com", "GOCSPX-sim-google-client-secret"
REDIRECT = "http://127.0.0.1:8000/callback"
VERIFIER = "v" * 20 + "-._~" + "K" * 30
YT = "https://www.googleapis.com/auth/"


def callback_params(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = urllib.parse.urlsplit(response.headers["location"])
    return dict(urllib.parse.parse_qsl(location.query))


@pytest.fixture
def sim() -> Simulator:
    return Simulator(knobs=Knobs(auto_approve=True))


@pytest.fixture
def client(sim: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(transport=httpx.MockTransport(sim.handle)) as http:
        yield http


@pytest.fixture
def knobs(client: httpx.Client) -> Callable[..., dict[str, Any]]:
    def set_knobs(**values: Any) -> dict[str, Any]:
        response = client.post("http://simulator.local/_sim/knobs", json=values)
        assert response.status_code == 200, response.text
        return dict(response.json())

    return set_knobs


@pytest.fixture
def creators(client: httpx.Client) -> Callable[[], dict[str, Any]]:
    def read() -> dict[str, Any]:
        return dict(client.get("http://simulator.local/_sim/creators").json())

    return read


def tiktok_authorize_params(**overrides: str) -> dict[str, str]:
    params = {
        "client_key": TIKTOK_KEY,
        "response_type": "code",
        "scope": "user.info.basic,user.info.profile,user.info.stats,video.list",
        "redirect_uri": REDIRECT,
        "state": "st-1",
        "code_challenge": hashlib.sha256(VERIFIER.encode()).hexdigest(),
        "code_challenge_method": "S256",
    }
    return params | overrides


@pytest.fixture
def tiktok_connect(client: httpx.Client) -> Callable[..., dict[str, Any]]:
    def connect(**overrides: str) -> dict[str, Any]:
        cb = callback_params(
            client.get(
                "https://www.tiktok.com/v2/auth/authorize/", params=tiktok_authorize_params(**overrides)
            )
        )
        response = client.post(
            "https://open.tiktokapis.com/v2/oauth/token/",
            data={
                "client_key": TIKTOK_KEY,
                "client_secret": TIKTOK_SECRET,
                "code": cb["code"],
                "grant_type": "authorization_code",
                "redirect_uri": REDIRECT,
                "code_verifier": VERIFIER,
            },
        )
        body = response.json()
        assert "access_token" in body, body
        return dict(body)

    return connect


@pytest.fixture
def meta_connect(client: httpx.Client) -> Callable[..., str]:
    """Log in with Facebook and return a long-lived user token."""

    def connect(
        scope: str = "pages_show_list,pages_read_engagement,read_insights,instagram_basic,"
        "instagram_manage_insights",
        **overrides: str,
    ) -> str:
        params = {"client_id": META_APP, "redirect_uri": REDIRECT, "state": "m1", "scope": scope} | overrides
        cb = callback_params(client.get("https://www.facebook.com/v25.0/dialog/oauth", params=params))
        short = client.get(
            "https://graph.facebook.com/v25.0/oauth/access_token",
            params={
                "client_id": META_APP,
                "client_secret": META_SECRET,
                "redirect_uri": REDIRECT,
                "code": cb["code"],
            },
        ).json()["access_token"]
        long = client.get(
            "https://graph.facebook.com/v25.0/oauth/access_token",
            params={
                "grant_type": "fb_exchange_token",
                "client_id": META_APP,
                "client_secret": META_SECRET,
                "fb_exchange_token": short,
            },
        ).json()
        return str(long["access_token"])

    return connect


@pytest.fixture
def google_connect(client: httpx.Client) -> Callable[..., dict[str, Any]]:
    def connect(
        scope: str = f"{YT}youtube.readonly {YT}yt-analytics.readonly", **overrides: str
    ) -> dict[str, Any]:
        challenge = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).decode().rstrip("=")
        params = {
            "client_id": GOOGLE_ID,
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "scope": scope,
            "access_type": "offline",
            "state": "g1",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        } | overrides
        cb = callback_params(client.get("https://accounts.google.com/o/oauth2/v2/auth", params=params))
        response = client.post(
            "https://oauth2.googleapis.com/token",
            data={
                "code": cb["code"],
                "client_id": GOOGLE_ID,
                "client_secret": GOOGLE_SECRET,
                "redirect_uri": REDIRECT,
                "grant_type": "authorization_code",
                "code_verifier": VERIFIER,
            },
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    return connect
