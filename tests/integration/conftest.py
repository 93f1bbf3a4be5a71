"""Integration tests: the local stack on free ports, over real HTTP (moto server, chalice local)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devstack.config import Ports
from devstack.stack import LocalStack

CONNECT_COOKIE = "cd_connect"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def free_ports() -> Ports:
    return Ports(
        front=free_port(), api=free_port(), clock=free_port(), aws=free_port(), simulator=free_port()
    )


def browser_cookie(started: httpx.Response) -> dict[str, str]:
    """The headers the browser that made the start call sends to the callback: its connect cookie
    (Secure, so httpx's jar would not send it over the stack's plain HTTP by itself)."""
    return {"Cookie": f"{CONNECT_COOKIE}={started.cookies[CONNECT_COOKIE]}"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # One worker runs every integration test (tests/conftest.py), so the stack starts once.
    for item in items:
        if "tests/integration/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    running = LocalStack(ports=free_ports(), state_dir=Path(tmp_path_factory.mktemp("stack")))
    running.start()
    yield running
    running.stop()
