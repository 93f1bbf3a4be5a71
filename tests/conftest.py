"""Shared fixtures: an environment for the app, and log capture."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from xdist.remote import Producer
from xdist.scheduler import LoadScopeScheduling

from chalicelib import bootstrap
from chalicelib.observability import logger
from devstack.config import LOCAL_ACCOUNT_ID, REGION, stage_variables

ROOT = Path(__file__).resolve().parent.parent
EVENTS = Path(__file__).resolve().parent / "events"


# Tests under these folders share one running stack per worker (a session or package fixture), and
# some build on what an earlier one made: each folder runs whole on one worker.
STACK_GROUPS = ("tests/integration/", "tests/e2e/")


class StackGroupScheduling(LoadScopeScheduling):  # type: ignore[misc]  # xdist is untyped
    """``--dist loadgroup``, grouping by folder: every other test is a unit of its own.

    xdist's own loadgroup renames node ids to carry the group, which pytest 9 no longer lets it do
    (``nodeid`` is derived), so its groups silently fell apart into one stack per worker.
    """

    def _split_scope(self, nodeid: str) -> str:
        return next((group for group in STACK_GROUPS if nodeid.startswith(group)), nodeid)


@pytest.hookimpl(optionalhook=True)  # known only when xdist is loaded
def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> LoadScopeScheduling | None:
    if config.getvalue("dist") != "loadgroup":
        return None
    return StackGroupScheduling(config, log)


def in_process_environment() -> dict[str, str]:
    """What the app reads when AWS is moto in-process (no endpoint: moto patches botocore)."""
    variables = stage_variables("local")
    prefix = variables["CREATORDECK_TABLE_PREFIX"]
    sqs = f"https://sqs.{REGION}.amazonaws.com/{LOCAL_ACCOUNT_ID}"
    return {
        **variables,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "CREATORDECK_PUBLIC_BASE_URL": "http://testserver",
        "CREATORDECK_INGEST_QUEUE_URL": f"{sqs}/{prefix}-ingest",
        "CREATORDECK_PUBLISH_QUEUE_URL": f"{sqs}/{prefix}-publish",
        "CREATORDECK_PRIVACY_QUEUE_URL": f"{sqs}/{prefix}-privacy",
    }


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    environment = in_process_environment()
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    bootstrap.reset()
    yield environment
    bootstrap.reset()


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Everything the app's logger writes while the test runs, exactly as it would reach CloudWatch."""
    handler: Any = logger.registered_handler
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def log_lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def load_event(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return loaded
