"""The stack `make run` starts: health over HTTP, the error contract at the front, clean stop."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from devstack.processes import port_in_use
from devstack.stack import HOST, LocalStack
from tests.conftest import ROOT
from tests.integration.conftest import free_ports


def test_health_reports_every_dependency_reachable_over_http(stack: LocalStack) -> None:
    response = httpx.get(f"{stack.url}/api/health")

    assert response.status_code == 200
    dependencies = response.json()["dependencies"]
    assert {name: value["status"] for name, value in dependencies.items()} == {
        "dynamodb": "ok",
        "kms": "ok",
        "s3": "ok",
        "sqs": "ok",
    }
    assert response.headers["X-Request-Id"]


def test_unknown_api_path_is_a_404_in_the_error_shape(stack: LocalStack) -> None:
    response = httpx.get(f"{stack.url}/api/no/such/thing")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("method", ["DELETE", "PUT", "TRACE", "BREW"])
def test_unsupported_method_is_a_405_in_the_error_shape(stack: LocalStack, method: str) -> None:
    response = httpx.request(method, f"{stack.url}/api/health")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_web_root_is_served_from_the_same_origin(stack: LocalStack) -> None:
    response = httpx.get(f"{stack.url}/")

    assert response.status_code == 200
    assert "text/html" in response.headers["Content-Type"]


def test_job_clock_lists_the_apps_schedules_and_queues(stack: LocalStack) -> None:
    response = httpx.get(f"http://{HOST}:{stack.ports.clock}/jobs")

    assert response.status_code == 200
    assert set(response.json()) >= {"schedules", "queues", "history"}


def test_health_is_503_when_the_embedded_aws_is_down_and_stop_frees_every_port(tmp_path: Path) -> None:
    own = LocalStack(ports=free_ports(), state_dir=tmp_path, with_simulator=False, with_clock=False)
    own.start()
    try:
        aws = next(child for name, child in own.processes.children if name == "aws")
        aws.terminate()
        aws.wait(timeout=10)

        response = httpx.get(f"{own.url}/api/health", timeout=15)

        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "degraded"
        assert {value["status"] for value in body["dependencies"].values()} == {"unreachable"}
    finally:
        own.stop()
    for port in (own.ports.front, own.ports.api, own.ports.aws):
        assert not port_in_use(HOST, port)


def test_make_run_prints_the_urls_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    ports = free_ports()
    env = {
        "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
        "HOME": str(tmp_path),
        "CREATORDECK_FRONT_PORT": str(ports.front),
        "CREATORDECK_API_PORT": str(ports.api),
        "CREATORDECK_CLOCK_PORT": str(ports.clock),
        "CREATORDECK_AWS_PORT": str(ports.aws),
        "CREATORDECK_SIMULATOR_PORT": str(ports.simulator),
    }
    launcher = subprocess.Popen(
        [sys.executable, "-m", "devstack", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert launcher.stdout is not None
    output: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = launcher.stdout.readline()
        output.append(line)
        if "to stop everything" in line or launcher.poll() is not None:
            break
    printed = "".join(output)
    try:
        assert f"http://{HOST}:{ports.front}" in printed, printed
        health = httpx.get(f"http://{HOST}:{ports.front}/api/health", timeout=10)
        assert health.status_code == 200, json.dumps(health.json())
    finally:
        launcher.send_signal(signal.SIGINT)
        launcher.wait(timeout=30)
    assert launcher.returncode == 0
    for port in (ports.front, ports.api, ports.clock, ports.aws):
        assert not port_in_use(HOST, port)
