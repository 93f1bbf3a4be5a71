"""Connections end to end in-process: the app on moto, the platforms as the simulator (MockTransport)."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from chalicelib import bootstrap
from chalicelib.settings import Settings
from simulator import Knobs, Simulator
from tests.functional.team import Persona, Team

PUBLIC_BASE_URL = "http://127.0.0.1:8000"  # a loopback redirect URI, as the simulator's test apps accept
CONNECT_COOKIE = "cd_connect"


def set_cookie_value(response: Any, name: str) -> str | None:
    """The value a response's Set-Cookie gives ``name`` ("" when it clears it), None when it sets none."""
    header = str(response.headers.get("Set-Cookie") or response.headers.get("set-cookie") or "")
    first, _, _ = header.partition(";")
    key, _, value = first.strip().partition("=")
    return value if key == name else None


@dataclass
class Recorder:
    """Every request that reached the simulator, and every sleep the platform client asked for."""

    requests: list[httpx.Request] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)
    # When set, token-endpoint calls wait for it (after signalling ``at_token_endpoint``).
    hold_token_calls: threading.Event | None = None
    at_token_endpoint: threading.Event = field(default_factory=threading.Event)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def form_values(self, name: str) -> list[str]:
        values = []
        for request in self.requests:
            content = request.content.decode(errors="ignore")
            for key, value in urllib.parse.parse_qsl(content):
                if key == name:
                    values.append(value)
        return values


@pytest.fixture
def sim() -> Simulator:
    return Simulator(knobs=Knobs(auto_approve=True))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def wired(
    aws: Settings, sim: Simulator, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """The app's platform client talks to the in-process simulator; sleeps are only recorded."""

    def handle(request: httpx.Request) -> httpx.Response:
        request.read()
        recorder.requests.append(request)
        if recorder.hold_token_calls is not None and request.url.path.endswith("/oauth/token/"):
            recorder.at_token_endpoint.set()
            recorder.hold_token_calls.wait(10)
        return sim.handle(request)

    monkeypatch.setenv("CREATORDECK_PUBLIC_BASE_URL", PUBLIC_BASE_URL)
    bootstrap.reset(platform_transport=httpx.MockTransport(handle), platform_sleep=recorder.sleep)
    yield Settings.from_env()
    bootstrap.reset()


@pytest.fixture
def team(wired: Settings, api: Any, outbox: Path) -> Team:
    return Team(api, outbox)


@pytest.fixture
def browser(sim: Simulator) -> Iterator[httpx.Client]:
    """The member's browser on the platforms' side: consent pages, redirects back."""
    with httpx.Client(transport=httpx.MockTransport(sim.handle)) as client:
        yield client


class Flow:
    """Drives start -> consent -> callback through the real routes, as one browser: the connect
    cookie the last start set goes with each callback (the last start wins, as in a browser)."""

    def __init__(self, team: Team, browser: httpx.Client, sim: Simulator) -> None:
        self.team = team
        self.browser = browser
        self.sim = sim
        self.connect_cookie: str | None = None

    def knobs(self, **values: Any) -> None:
        response = self.browser.post("http://simulator.local/_sim/knobs", json=values)
        assert response.status_code == 200, response.text

    def start(self, persona: Persona, platform: str) -> str:
        return self._started(self.team.post(f"/api/oauth/{platform}/start", {}, persona.headers))

    def reconnect(self, persona: Persona, connection_id: str) -> str:
        return self._started(
            self.team.post(f"/api/connections/{connection_id}/reconnect", {}, persona.headers)
        )

    def _started(self, response: Any) -> str:
        assert response.status_code == 200, response.body
        cookie = set_cookie_value(response, CONNECT_COOKIE)
        assert cookie, response.headers
        self.connect_cookie = cookie
        return str(json.loads(response.body)["authorization_url"])

    def consent(self, authorization_url: str, **form: Any) -> str:
        """The callback path and query the platform redirects to (auto-approved, or the posted form)."""
        if form:
            url = httpx.URL(authorization_url)
            fields = [*list(url.params.multi_items()), ("decision", form.pop("decision", "approve"))]
            fields += [(key, value) for key, values in form.items() for value in _listed(values)]
            response = self.browser.post(
                url.copy_with(query=None),
                content=_form(fields),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        else:
            response = self.browser.get(authorization_url)
        assert response.status_code == 302, response.text
        location = urllib.parse.urlsplit(response.headers["location"])
        assert f"{location.scheme}://{location.netloc}" == PUBLIC_BASE_URL
        return f"{location.path}?{location.query}"

    def callback(self, path: str, cookie: str | None = None) -> Any:
        """The platform's redirect, followed with this browser's connect cookie (or ``cookie``)."""
        value = cookie if cookie is not None else self.connect_cookie
        headers = {"Cookie": f"{CONNECT_COOKIE}={value}"} if value else {}
        response = self.team.http.get(path, headers=headers)
        if set_cookie_value(response, CONNECT_COOKIE) == "":
            self.connect_cookie = None
        return response

    def connect(self, persona: Persona, platform: str, **form: Any) -> Any:
        return self.callback(self.consent(self.start(persona, platform), **form))

    def connections(self, persona: Persona) -> list[dict[str, Any]]:
        response = self.team.http.get("/api/connections", headers=persona.headers)
        assert response.status_code == 200, response.body
        items: list[dict[str, Any]] = json.loads(response.body)["items"]
        return items


def _listed(values: Any) -> list[str]:
    return [str(v) for v in values] if isinstance(values, list | tuple) else [str(values)]


def _form(fields: list[tuple[str, str]]) -> str:
    return urllib.parse.urlencode(fields)


@pytest.fixture
def flow(team: Team, browser: httpx.Client, sim: Simulator) -> Flow:
    return Flow(team, browser, sim)


def page_code(response: Any) -> str:
    text: str = response.body.decode()
    marker = "data-code='"
    assert marker in text, text
    return text.split(marker, 1)[1].split("'", 1)[0]
