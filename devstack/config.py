"""Where the local stack listens and what environment the app gets there.

The stage's constant variables come from ``.chalice/config.json`` (stage ``local``)
so there is one definition; what depends on ports (endpoint, queue URLs, public
URL) is added here.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent
STATE_DIR: Final = ROOT / ".devstack"
LOCAL_ACCOUNT_ID: Final = "123456789012"  # moto's default account
REGION: Final = "us-east-1"
QUEUES: Final = ("ingest", "publish", "privacy")  # each also gets a "-dlq"


@dataclass(frozen=True)
class Ports:
    front: int = 8000
    api: int = 8001
    clock: int = 8002
    aws: int = 4566
    simulator: int = 5600

    @classmethod
    def from_env(cls) -> Ports:
        def port(name: str, default: int) -> int:
            return int(os.environ.get(f"CREATORDECK_{name}_PORT", default))

        return cls(
            front=port("FRONT", cls.front),
            api=port("API", cls.api),
            clock=port("CLOCK", cls.clock),
            aws=port("AWS", cls.aws),
            simulator=port("SIMULATOR", cls.simulator),
        )


def stage_variables(stage: str = "local") -> dict[str, str]:
    """The constant variables of a Chalice stage: top-level ones overlaid by the stage's."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    variables = dict(config.get("environment_variables", {}))
    variables.update(config["stages"][stage].get("environment_variables", {}))
    return variables


def queue_name(prefix: str, queue: str) -> str:
    return f"{prefix}-{queue}"


def queue_url(aws_endpoint: str, prefix: str, queue: str) -> str:
    return f"{aws_endpoint}/{LOCAL_ACCOUNT_ID}/{queue_name(prefix, queue)}"


SEED_WORKSPACE: Final = "Demo Studio"
SEED_ADMIN_EMAIL: Final = "admin@creatordeck.local"
SEED_ADMIN_NAME: Final = "Demo Admin"
SEED_ADMIN_PASSWORD: Final = "creatordeck-local-admin"  # local stack only, printed by `make run`


def app_environment(ports: Ports, *, host: str = "127.0.0.1", state_dir: Path = STATE_DIR) -> dict[str, str]:
    """Everything the app reads, for the local stack on these ports."""
    aws_endpoint = f"http://{host}:{ports.aws}"
    variables = stage_variables()
    prefix = variables["CREATORDECK_TABLE_PREFIX"]
    variables.update(
        {
            "AWS_ENDPOINT_URL": aws_endpoint,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            # moto accepts any credentials; these are not secrets.
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "CREATORDECK_PUBLIC_BASE_URL": f"http://{host}:{ports.front}",
            "CREATORDECK_INGEST_QUEUE_URL": queue_url(aws_endpoint, prefix, "ingest"),
            "CREATORDECK_PUBLISH_QUEUE_URL": queue_url(aws_endpoint, prefix, "publish"),
            "CREATORDECK_PRIVACY_QUEUE_URL": queue_url(aws_endpoint, prefix, "privacy"),
            "CREATORDECK_MAIL_OUTBOX_DIR": str(state_dir / "outbox"),
            "CREATORDECK_PLATFORM_BASE_URLS": json.dumps(
                simulator_base_urls(f"http://{host}:{ports.simulator}")
            ),
        }
    )
    return variables


def simulator_base_urls(origin: str) -> dict[str, str]:
    """The simulator's base URLs on this origin, named as ``PlatformConfig`` expects them."""
    from simulator import Simulator  # imported here: building the simulator's world is not free

    return Simulator().base_urls(origin)


# The simulator's registered test apps (simulator/README.md): their secrets go into the app secret.
SIMULATOR_CLIENT_SECRETS: Final = {
    "tiktok_client_secret": "sim-tiktok-client-secret",
    "meta_app_secret": "sim-meta-app-secret",
    "threads_app_secret": "sim-threads-app-secret",
    "google_client_secret": "GOCSPX-sim-google-client-secret",
}
