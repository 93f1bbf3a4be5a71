"""The ``token-refresh`` schedule: every 30 minutes, renew the tokens that are due."""

from __future__ import annotations

from typing import Any


def handle(event: Any = None) -> dict[str, int]:  # noqa: ARG001 - the schedule's event carries nothing we need
    from chalicelib.bootstrap import services  # here: importing app.py must not build anything

    return services().token_refresh.run()
