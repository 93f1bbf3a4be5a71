"""Schemathesis against the running API: no 5xx, nothing outside the documented schema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from devstack.stack import LocalStack


def test_api_conforms_to_its_openapi_document(stack: LocalStack, tmp_path: Path) -> None:
    schemathesis = Path(sys.executable).parent / "schemathesis"
    result = subprocess.run(
        [
            str(schemathesis),
            "run",
            f"{stack.url}/api/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            "50",
            "--workers",
            "1",
            "--seed",
            "1",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        check=False,
    )

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
