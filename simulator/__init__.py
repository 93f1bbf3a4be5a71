"""Platform simulator: a local fake of TikTok, Meta (Facebook, Instagram, Threads) and Google/YouTube.

Never deployed. See ``simulator/README.md``.
"""

from __future__ import annotations

from simulator.app import Simulator
from simulator.knobs import Knobs
from simulator.server import serve_in_thread
from simulator.state import ClientApp, SimConfig

__all__ = ["ClientApp", "Knobs", "SimConfig", "Simulator", "serve_in_thread"]
