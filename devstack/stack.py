"""Starts and stops the whole local stack; used by ``make run`` and by integration tests."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from chalicelib.settings import Settings
from devstack.config import ROOT, STATE_DIR, Ports, app_environment
from devstack.front import serve_front
from devstack.processes import ProcessGroup, port_in_use, wait_for_port
from devstack.provision import provision
from devstack.seed import SeededAdmin, seed

HOST = "127.0.0.1"


class StackError(Exception):
    """The local stack could not start."""


@dataclass
class LocalStack:
    ports: Ports = field(default_factory=Ports.from_env)
    state_dir: Path = STATE_DIR
    with_simulator: bool = True
    with_clock: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: ProcessGroup = field(init=False)
    seeded: SeededAdmin | None = field(default=None, init=False)
    _front: ThreadingHTTPServer | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.processes = ProcessGroup(self.state_dir / "logs")

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.ports.front}"

    @property
    def aws_endpoint(self) -> str:
        return f"http://{HOST}:{self.ports.aws}"

    @property
    def outbox(self) -> Path:
        return self.state_dir / "outbox"

    @property
    def environment(self) -> dict[str, str]:
        env = {
            **os.environ,
            **app_environment(self.ports, host=HOST, state_dir=self.state_dir),
            **self.extra_env,
        }
        env["PYTHONPATH"] = str(ROOT)
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def start(self, timeout_seconds: float = 60) -> None:
        busy = [port for port in self._ports_used() if port_in_use(HOST, port)]
        if busy:
            raise StackError(
                f"port(s) {', '.join(map(str, busy))} already in use on {HOST}: "
                "is another local stack running? Stop it with `make stop`, "
                "or choose other ports with CREATORDECK_FRONT_PORT and friends."
            )
        deadline = time.monotonic() + timeout_seconds
        env = self.environment
        bin_dir = Path(sys.executable).parent
        try:
            self.processes.start(
                "aws", [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(self.ports.aws)], env, ROOT
            )
            wait_for_port(HOST, self.ports.aws, deadline - time.monotonic(), self.processes)
            # This process provisions, so it needs the embedded AWS's (dummy) credentials too.
            for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
                os.environ.setdefault(name, env[name])
            settings = Settings.from_env(env)
            provision(settings)
            shutil.rmtree(self.outbox, ignore_errors=True)
            self.seeded = seed(settings)
            if self.with_simulator and (ROOT / "simulator" / "__main__.py").exists():
                self.processes.start(
                    "simulator",
                    [sys.executable, "-m", "simulator", "--host", HOST, "--port", str(self.ports.simulator)],
                    env,
                    ROOT,
                )
                wait_for_port(HOST, self.ports.simulator, deadline - time.monotonic(), self.processes)
            self.processes.start(
                "api",
                [
                    str(bin_dir / "chalice"),
                    "local",
                    "--no-autoreload",
                    "--stage",
                    "local",
                    "--host",
                    HOST,
                    "--port",
                    str(self.ports.api),
                ],
                env,
                ROOT,
            )
            wait_for_port(HOST, self.ports.api, deadline - time.monotonic(), self.processes)
            if self.with_clock:
                self.processes.start(
                    "clock",
                    [sys.executable, "-m", "devstack.clock", "--host", HOST, "--port", str(self.ports.clock)],
                    env,
                    ROOT,
                )
                wait_for_port(HOST, self.ports.clock, deadline - time.monotonic(), self.processes)
            self._front = serve_front(
                HOST, self.ports.front, HOST, self.ports.api, ROOT / "web" / "dist", outbox=self.outbox
            )
            self.wait_healthy(deadline - time.monotonic())
        except BaseException:
            self.stop()
            raise

    def wait_healthy(self, timeout_seconds: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_seconds
        last: Any = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/api/health", timeout=5) as reply:  # noqa: S310 - loopback
                    body: dict[str, Any] = json.loads(reply.read())
                    return body
            except (urllib.error.URLError, OSError) as exc:
                last = exc
            time.sleep(0.3)
        raise StackError(f"/api/health did not answer ok within the time limit (last: {last})")

    def stop(self) -> None:
        if self._front is not None:
            self._front.shutdown()
            self._front.server_close()
            self._front = None
        self.processes.stop()

    def _ports_used(self) -> list[int]:
        ports = [self.ports.front, self.ports.api, self.ports.aws]
        if self.with_clock:
            ports.append(self.ports.clock)
        if self.with_simulator:
            ports.append(self.ports.simulator)
        return ports
