"""Functional tests: the real app and handlers on moto in-process (no sockets)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib.settings import Settings
from devstack.provision import provision
from tests.conftest import ROOT
from tests.functional.team import Team


@pytest.fixture
def outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "outbox"
    monkeypatch.setenv("CREATORDECK_MAIL_OUTBOX_DIR", str(folder))
    return folder


@pytest.fixture
def aws(app_env: dict[str, str], outbox: Path) -> Iterator[Settings]:
    """A fresh embedded AWS, in-process, with every resource the app needs."""
    with mock_aws():
        settings = Settings.from_env()
        provision(settings)
        yield settings


@pytest.fixture
def api(aws: Settings) -> Iterator[Any]:
    """The app's HTTP interface through Chalice's local gateway (routing, middleware, views)."""
    from app import app

    with Client(app, stage_name="local", project_dir=str(ROOT)) as client:
        yield client.http


@pytest.fixture
def team(api: Any, outbox: Path) -> Team:
    """Workspaces and members made the way people make them: invitation, acceptance, sign-in."""
    return Team(api, outbox)
