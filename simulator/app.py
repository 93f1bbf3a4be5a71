"""The Simulator: routes a request to a platform handler by real host or by loopback path prefix."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable

import httpx

from simulator import control, facebook, google, threads, tiktok, youtube
from simulator.knobs import Knobs
from simulator.responses import SimulatedDisconnectError, SimulatedTimeoutError, json_response
from simulator.state import SimConfig, SimState

__all__ = ["SERVICES", "Service", "Simulator"]

Handler = Callable[[SimState, httpx.Request, str], httpx.Response]


@dataclasses.dataclass(frozen=True)
class Service:
    """One platform host. ``throttled``/``server_error`` build that host's fault answers; None = no faults."""

    name: str
    hosts: tuple[str, ...]
    prefix: str
    handler: Handler
    throttled: Callable[[SimState, str], httpx.Response] | None = None
    server_error: Callable[[SimState], httpx.Response] | None = None


SERVICES: tuple[Service, ...] = (
    Service("tiktok_auth", ("www.tiktok.com",), "/tiktok-www", tiktok.handle_auth),
    Service(
        "tiktok_api",
        ("open.tiktokapis.com",),
        "/tiktok-open",
        tiktok.handle_api,
        tiktok.throttled_response,
        tiktok.server_error_response,
    ),
    Service("facebook_dialog", ("www.facebook.com",), "/facebook-www", facebook.handle_dialog),
    Service(
        "graph_facebook",
        ("graph.facebook.com",),
        "/graph-facebook",
        facebook.handle_graph,
        facebook.throttled_response,
        facebook.server_error_response,
    ),
    Service(
        "threads_auth", ("threads.net", "www.threads.net", "threads.com"), "/threads-www", threads.handle_auth
    ),
    Service(
        "graph_threads",
        ("graph.threads.net", "graph.threads.com"),
        "/graph-threads",
        threads.handle_graph,
        facebook.throttled_response,
        facebook.server_error_response,
    ),
    Service("google_auth", ("accounts.google.com",), "/google-accounts", google.handle_auth),
    Service(
        "google_token",
        ("oauth2.googleapis.com",),
        "/google-oauth2",
        google.handle_token,
        google.throttled_response,
        google.server_error_response,
    ),
    Service(
        "youtube_data",
        ("www.googleapis.com", "youtube.googleapis.com"),
        "/googleapis",
        youtube.handle_data,
        google.throttled_response,
        google.server_error_response,
    ),
    Service(
        "youtube_analytics",
        ("youtubeanalytics.googleapis.com",),
        "/youtube-analytics",
        youtube.handle_analytics,
        google.throttled_response,
        google.server_error_response,
    ),
)

CONTROL_ORIGIN = "http://simulator.local"


class Simulator:
    """Fake TikTok, Meta (Facebook, Instagram, Threads) and Google/YouTube behind one ``handle``.

    Mount in-process with ``httpx.Client(transport=httpx.MockTransport(sim.handle))`` and real base
    URLs, or serve over loopback (``python -m simulator``) and use ``base_urls(origin)``.
    """

    def __init__(self, config: SimConfig | None = None, knobs: Knobs | None = None) -> None:
        self.config = config or SimConfig()
        self.state = SimState(self.config, knobs)
        self.lock = threading.RLock()
        self._by_host = {host: s for s in SERVICES for host in s.hosts}
        self._by_prefix = {s.prefix: s for s in SERVICES}

    def reset(self, seed: int | None = None) -> None:
        """Forget every code, token and revocation; rebuild the seeded world (knobs are kept)."""
        with self.lock:
            if seed is not None:
                self.config = dataclasses.replace(self.config, seed=seed)
            self.state = SimState(self.config, self.state.knobs)

    @property
    def knobs(self) -> Knobs:
        return self.state.knobs

    def base_urls(self, origin: str | None = None) -> dict[str, str]:
        """Stable name -> base URL: real hosts when ``origin`` is None, ``origin + prefix`` otherwise."""
        urls = {
            s.name: f"https://{s.hosts[0]}" if origin is None else origin.rstrip("/") + s.prefix
            for s in SERVICES
        }
        urls["simulator"] = CONTROL_ORIGIN if origin is None else origin.rstrip("/")
        return urls

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request; the ``httpx.MockTransport`` entry point."""
        served = bool(request.extensions.get("sim_served"))
        try:
            return self._handle(request, served)
        except SimulatedTimeoutError as exc:
            raise httpx.ReadTimeout("simulated timeout", request=request) from exc
        except SimulatedDisconnectError as exc:
            if served:
                raise
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.") from exc

    def _handle(self, request: httpx.Request, served: bool) -> httpx.Response:
        if request.url.path.startswith("/_sim/"):
            return control.handle(self, request, request.url.path)
        service, path = self._route(request)
        if service is None:
            return json_response(404, {"error": f"simulator has no service for {request.url}"})
        with self.lock:
            knobs = self.state.knobs
            latency = knobs.latency_ms / 1000
            fault = self._draw_fault() if service.throttled is not None else None
        if latency:
            time.sleep(latency)
        if fault == "timeout":
            if knobs.timeout_mode == "close":
                raise SimulatedDisconnectError
            if not served:
                raise SimulatedTimeoutError
            time.sleep(knobs.timeout_seconds)
        with self.lock:
            if fault == "server_error" and service.server_error is not None:
                return service.server_error(self.state)
            if fault == "throttle" and service.throttled is not None:
                return service.throttled(self.state, path)
            return service.handler(self.state, request, path)

    def _route(self, request: httpx.Request) -> tuple[Service | None, str]:
        path = request.url.path
        service = self._by_host.get(request.url.host)
        if service is not None:
            return service, path
        head, slash, rest = path[1:].partition("/")
        service = self._by_prefix.get("/" + head)
        return service, slash + rest if service is not None else path

    def _draw_fault(self) -> str | None:
        knobs = self.state.knobs
        rng = self.state.fault_rng
        for name, probability in (
            ("timeout", knobs.timeout_probability),
            ("server_error", knobs.server_error_probability),
            ("throttle", knobs.throttle_probability),
        ):
            scripted = getattr(knobs, f"{name}_next")
            if scripted > 0:
                setattr(knobs, f"{name}_next", scripted - 1)
                return name
            if probability > 0 and rng.random() < probability:
                return name
        return None
