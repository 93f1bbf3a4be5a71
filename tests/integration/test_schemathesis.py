"""Schemathesis against the running API, signed in: no 5xx, nothing outside the documented schema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from chalicelib.domain.permissions import Action
from devstack.stack import LocalStack


def admin_api_key(stack: LocalStack) -> str:
    """A key with every action, made the way an admin would: sign in, create a key."""
    assert stack.seeded is not None
    signed_in = httpx.post(
        f"{stack.url}/api/auth/sign-in",
        json={"email": stack.seeded.email, "password": stack.seeded.password.reveal()},
    )
    signed_in.raise_for_status()
    created = httpx.post(
        f"{stack.url}/api/api-keys",
        json={"name": "schemathesis", "scopes": [action.value for action in Action]},
        headers={"Authorization": f"Bearer {signed_in.json()['access_token']}"},
    )
    created.raise_for_status()
    return str(created.json()["key"])


def test_api_conforms_to_its_openapi_document(stack: LocalStack, tmp_path: Path) -> None:
    key = admin_api_key(stack)
    schemathesis = Path(sys.executable).parent / "schemathesis"
    result = subprocess.run(
        [
            str(schemathesis),
            "--config-file",
            str(Path(__file__).with_name("schemathesis.toml")),
            "run",
            f"{stack.url}/api/openapi.json",
            "--header",
            f"Authorization: Bearer {key}",
            "--max-examples",
            "25",
            "--workers",
            "2",
            "--seed",
            "1",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        check=False,
    )

    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
