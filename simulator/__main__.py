"""``python -m simulator --host 127.0.0.1 --port 5600 [--latency-ms N] [--auto-approve] [--seed N]``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
import types

from simulator.app import Simulator
from simulator.knobs import Knobs
from simulator.server import make_server
from simulator.state import SimConfig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulator", description="Serve the platform simulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5600)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--auto-approve", action="store_true", help="skip consent pages")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--frozen-clock", action="store_true", help="do not let wall time move the clock")
    args = parser.parse_args(argv)

    config = SimConfig(seed=args.seed, start_time=time.time(), realtime=not args.frozen_clock)
    simulator = Simulator(config, Knobs(latency_ms=args.latency_ms, auto_approve=args.auto_approve))
    server = make_server(args.host, args.port, simulator)

    def stop(_signum: int, _frame: types.FrameType | None) -> None:
        # shutdown() blocks until serve_forever returns, so it must run off the serving thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = server.server_address[:2]
    print(f"simulator ready on http://{host!s}:{port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
