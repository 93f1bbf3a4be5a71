"""Cold start: how long `import app` takes in a fresh interpreter, against the floor `import boto3, chalice`.

Each sample is a new Python process that times only the import (interpreter start-up is
excluded); the two kinds are interleaved so machine noise hits both alike. Prints the
medians and their ratio. Target: ratio <= 1.5.

    .venv/bin/python bench/cold_start.py [--rounds 21]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent
TARGET_RATIO: Final = 1.5
TIMER: Final = "import time; t = time.perf_counter(); import {modules}; print(time.perf_counter() - t)"


def sample(modules: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    output = subprocess.run(
        [sys.executable, "-c", TIMER.format(modules=modules)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=21)
    rounds = parser.parse_args().rounds

    sample("app")  # warm the bytecode cache so both sides read compiled modules
    floor, app = [], []
    for _ in range(rounds):
        floor.append(sample("boto3, chalice"))
        app.append(sample("app"))
    floor_ms = statistics.median(floor) * 1000
    app_ms = statistics.median(app) * 1000
    ratio = app_ms / floor_ms
    print(f"import boto3, chalice (floor): median {floor_ms:.1f} ms over {rounds} fresh interpreters")
    print(f"import app:                    median {app_ms:.1f} ms")
    print(f"ratio app/floor: {ratio:.2f} (target <= {TARGET_RATIO})")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
