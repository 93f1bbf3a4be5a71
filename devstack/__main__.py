"""``python -m devstack run|stop|env``: the local stack behind ``make run`` and ``make stop``."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time

from chalicelib.observability import logger
from devstack.config import SEED_WORKSPACE, STATE_DIR, Ports, app_environment
from devstack.processes import signal_pid_file
from devstack.stack import HOST, LocalStack, StackError

PID_FILE = STATE_DIR / "stack.pid"


def run() -> int:
    logger.setLevel("WARNING")  # seeding's audit lines are not news on the console
    stack = LocalStack()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    print("Starting CreatorDeck locally (embedded AWS, simulator, API, job clock)...", flush=True)
    started = time.monotonic()
    try:
        stack.start()
    except StackError as exc:
        print(f"\nCould not start: {exc}", file=sys.stderr)
        return 1
    STATE_DIR.mkdir(exist_ok=True)
    PID_FILE.write_text(str(os.getpid()))
    ports = stack.ports
    seeded = stack.seeded
    assert seeded is not None
    print(
        f"""
CreatorDeck is running ({time.monotonic() - started:.0f}s to start).

  Web app and API   {stack.url}
  Sign in as        {seeded.email} / {seeded.password.reveal()}   (workspace "{SEED_WORKSPACE}")
  Local outbox      {stack.url}/_dev/outbox   (invitations and reset links)
  Health            {stack.url}/api/health
  OpenAPI           {stack.url}/api/openapi.json
  Job clock         http://{HOST}:{ports.clock}/jobs   (POST /jobs/<name> runs a job now)
  Platform sim      http://{HOST}:{ports.simulator}
  Embedded AWS      {stack.aws_endpoint}   (moto; fresh state on every start)
  Logs              {stack.processes.log_dir}/

Press Ctrl-C (or run `make stop`) to stop everything.""",
        flush=True,
    )
    try:
        while not stopping.is_set():
            gone = stack.processes.first_exited()
            if gone:
                print(
                    f"\n{gone} exited unexpectedly; see {stack.processes.log_dir}/{gone}.log", file=sys.stderr
                )
                return 1
            stopping.wait(0.5)
    finally:
        print("\nStopping...", flush=True)
        stack.stop()
        PID_FILE.unlink(missing_ok=True)
        print("Stopped.", flush=True)
    return 0


def stop() -> int:
    if not signal_pid_file(PID_FILE):
        print("No local stack is running.")
        return 0
    for _ in range(100):
        if not PID_FILE.exists():
            print("Stopped.")
            return 0
        time.sleep(0.1)
    print(f"The stack did not stop within 10s; its pid is in {PID_FILE}.", file=sys.stderr)
    return 1


def env() -> int:
    for name, value in sorted(app_environment(Ports.from_env()).items()):
        print(f"{name}={value}")
    return 0


def cli(arguments: list[str]) -> int:
    """The operator CLI against the running local stack."""
    os.environ.update(app_environment(Ports.from_env()))
    from chalicelib.cli import main as creatordeck

    return creatordeck(arguments)


def main() -> int:
    parser = argparse.ArgumentParser(prog="devstack", description="CreatorDeck's local stack.")
    parser.add_argument("command", choices=["run", "stop", "env", "cli"])
    parser.add_argument("arguments", nargs=argparse.REMAINDER, help="for cli: the creatordeck command")
    parsed = parser.parse_args()
    if parsed.command == "cli":
        return cli(parsed.arguments)
    return {"run": run, "stop": stop, "env": env}[parsed.command]()


if __name__ == "__main__":
    sys.exit(main())
