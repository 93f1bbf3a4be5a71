"""Child processes that die with the stack: no orphan keeps a port."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # Linux: the kernel sends SIGTERM to the child if the launcher dies, even by SIGKILL.
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class ProcessGroup:
    log_dir: Path
    children: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    _logs: list[IO[bytes]] = field(default_factory=list)

    def start(
        self, name: str, argv: Sequence[str], env: Mapping[str, str], cwd: Path
    ) -> subprocess.Popen[bytes]:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_dir / f"{name}.log").open("wb")
        self._logs.append(log)
        child = subprocess.Popen(
            list(argv),
            env=dict(env),
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        self.children.append((name, child))
        return child

    def first_exited(self) -> str | None:
        for name, child in self.children:
            if child.poll() is not None:
                return name
        return None

    def stop(self, grace_seconds: float = 5.0) -> None:
        for _, child in reversed(self.children):
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + grace_seconds
        for _, child in self.children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        for log in self._logs:
            log.close()
        self.children.clear()


def wait_for_port(host: str, port: int, timeout_seconds: float, watch: ProcessGroup | None = None) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if watch is not None and (gone := watch.first_exited()):
            raise RuntimeError(f"{gone} exited while starting; see {watch.log_dir / (gone + '.log')}")
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex((host, port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listened on {host}:{port} within {timeout_seconds:.0f}s")


def port_in_use(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def signal_pid_file(pid_file: Path, signum: int = signal.SIGTERM) -> bool:
    """Signal the process named in ``pid_file``; False when none is running."""
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, signum)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return False
    return True
