"""Dashboard API latency: roster and account detail against a one-GetItem floor, on a moto server.

One workspace holds an account with two years of daily profile snapshots and 500 posts (each with
four history points) on the embedded AWS over HTTP (a moto server, as bench/ingest.py starts it).
Every kind is a route of the app, called in process through Chalice's test client with a bearer
token (authentication included); the floor is a bench-only route of the same app that answers
after one GetItem of the connection. Samples are interleaved so machine noise hits every kind
alike. Prints p50 and p99 of each and the p99 ratio to the floor. Target: <= 3 for the roster and
the account detail's default range (the 2-year range is printed for information).

The account is seeded as a sync leaves it, with its rollup (decisions.md 18). ``--without-rollup``
adds a second such account without one, answered from the series and the posts as before the
rollup existed (printed for comparison; slow: a 500-post Query costs about a second on moto).

    .venv/bin/python bench/api.py [--samples 100] [--without-rollup]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingest import free_port  # noqa: E402
from devstack.config import Ports, app_environment  # noqa: E402
from devstack.processes import ProcessGroup, wait_for_port  # noqa: E402

TARGET_RATIO: Final = 3.0
DAYS: Final = 731
POSTS: Final = 500
HISTORY_POINTS: Final = 4


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--without-rollup", action="store_true")
    arguments = parser.parse_args()
    ports = Ports(
        front=free_port(), api=free_port(), clock=free_port(), aws=free_port(), simulator=free_port()
    )
    state = Path(tempfile.mkdtemp(prefix="creatordeck-bench-"))
    os.environ.update(app_environment(ports, state_dir=state))
    # The figures are the output: no per-request log line or metric blob from the app in between.
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    processes = ProcessGroup(state / "logs")
    try:
        processes.start(
            "aws",
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(ports.aws)],
            os.environ,
            ROOT,
        )
        wait_for_port("127.0.0.1", ports.aws, 30, processes)
        return run(arguments.samples, arguments.without_rollup)
    finally:
        processes.stop()


def seed(workspace_id: str, owner_id: str, rolled_up: bool = True) -> str:
    """The account: two years of days, 500 posts with their histories and, as a sync leaves it, its
    rollup (``rolled_up``; else only the summary); returns its connection id."""
    from chalicelib.domain.account_rollup import roll_up
    from chalicelib.domain.connections import Connection, ConnectionStatus, SealedTokens
    from chalicelib.domain.platforms import MediaType, Platform, Post, PostMetrics, Profile
    from chalicelib.domain.snapshots import PostSnapshot, ProfileSnapshot, Snapshot
    from chalicelib.domain.summary import summarize
    from chalicelib.security.tokens import new_id
    from chalicelib.storage.account_rollup_writes import WorkerRollups
    from chalicelib.storage.connections import ConnectionsRepository
    from chalicelib.storage.metrics import SnapshotRepository
    from chalicelib.storage.posts import PostRepository, StoredPost

    now = datetime.now(UTC)
    keep = timedelta(days=1095)
    connection = Connection(
        id=new_id(),
        workspace_id=workspace_id,
        platform=Platform.TIKTOK,
        account_id="bench",
        account_name="mayamakes",
        owner_member_id=owner_id,
        status=ConnectionStatus.ACTIVE,
        scopes=frozenset({"user.info.basic"}),
        missing_scopes=frozenset(),
        platform_user_id="bench-user",
        connected_at=now - timedelta(days=DAYS),
    )
    store = ConnectionsRepository()
    store.save_connection(connection, SealedTokens("sealed", None, connection.scopes, "bench-user"), None)
    followers = [(now - timedelta(days=back), 50_000 - back * 20) for back in range(DAYS)]
    snapshots: list[Snapshot] = [
        ProfileSnapshot(connection.id, at, Profile(Platform.TIKTOK, "bench", None, None, followers=count))
        for at, count in followers
    ]
    posts = []
    for i in range(POSTS):
        created = now - timedelta(hours=30 * i + 1)
        metrics = PostMetrics(f"p{i}", views=(i * 37) % 5000, likes=i % 300, comments=i % 40, shares=i % 9)
        caption = f"Post {i} " + "caption text " * 12
        post = Post(
            Platform.TIKTOK, f"p{i}", created, caption[:140], f"https://t.example/{i}", MediaType.VIDEO
        )
        posts.append(StoredPost(connection.id, post, metrics, now, {"6h": 10, "24h": 20}))
        snapshots += [
            PostSnapshot(connection.id, created + timedelta(hours=6 * k), metrics)
            for k in range(HISTORY_POINTS)
        ]
    SnapshotRepository().write(snapshots, keep)
    PostRepository().save(posts, keep)
    readings = [(at.date(), count) for at, count in followers]
    summary = summarize(readings, [(p.post.created_at, p.metrics) for p in posts], now)
    if rolled_up:
        rollup = roll_up(readings, [], [(p.post, p.metrics) for p in posts], now, keep)
        WorkerRollups().record(connection, rollup, summary)
    else:
        store.record_summary(connection, summary)
    return connection.id


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(samples: int, without_rollup: bool = False) -> int:
    from chalice.test import Client

    from chalicelib import bootstrap
    from chalicelib.api.routing import ApiBlueprint
    from chalicelib.domain.permissions import Action
    from chalicelib.settings import Settings
    from chalicelib.storage.dashboard import DashboardReads
    from devstack.provision import provision
    from tests.functional.team import Team

    settings = Settings.from_env()
    provision(settings)
    bootstrap.reset()

    import app as app_module

    # The floor: the same app, the same authentication, one GetItem, a small JSON answer.
    floor = ApiBlueprint("bench_floor", tag="bench")

    @floor.route(
        "/bench/floor/{connection_id}",
        "GET",
        summary="bench floor",
        response=None,
        action=Action.CONNECTIONS_READ,
    )
    def bench_floor(caller: Any, connection_id: str) -> dict[str, Any]:
        connection = DashboardReads().connection(caller.workspace_id, connection_id)
        return {"id": connection.id if connection else None}

    app_module.app.register_blueprint(floor.blueprint)
    with Client(app_module.app, stage_name="local", project_dir=str(ROOT)) as client:
        team = Team(client.http, Path(os.environ["CREATORDECK_MAIL_OUTBOX_DIR"]))
        with contextlib.redirect_stdout(io.StringIO()):  # the sign-up requests' EMF records
            admin = team.create_workspace("Bench")
        connection_id = seed(admin.workspace_id, admin.member_id)
        headers = admin.headers

        def get(path: str) -> Callable[[], None]:
            def call() -> None:
                response = client.http.get(path, headers=headers)
                assert response.status_code == 200, response.body

            return call

        kinds = {
            "floor (auth + 1 GetItem)": get(f"/bench/floor/{connection_id}"),
            "roster": get("/api/dashboard/roster"),
            "account detail 90d": get(f"/api/dashboard/accounts/{connection_id}"),
            "account detail 2y": get(f"/api/dashboard/accounts/{connection_id}?range=2y"),
        }
        if without_rollup:
            plain = seed(admin.workspace_id, admin.member_id, rolled_up=False)
            kinds["no rollup: detail 90d"] = get(f"/api/dashboard/accounts/{plain}")
            kinds["no rollup: detail 2y"] = get(f"/api/dashboard/accounts/{plain}?range=2y")
        timings: dict[str, list[float]] = {name: [] for name in kinds}
        with contextlib.redirect_stdout(io.StringIO()):  # each request's EMF record, alike for every route
            for call in kinds.values():
                for _ in range(5):
                    call()  # warm: clients built, caches filled
            for _ in range(samples):
                for name, call in kinds.items():
                    started = time.perf_counter()
                    call()
                    timings[name].append((time.perf_counter() - started) * 1000)

    floor_p99 = percentile(timings["floor (auth + 1 GetItem)"], 0.99)
    figures: dict[str, Any] = {}
    for name, values in timings.items():
        p50, p99 = statistics.median(values), percentile(values, 0.99)
        ratio = p99 / floor_p99
        figures[name] = {"p50_ms": round(p50, 1), "p99_ms": round(p99, 1), "p99_ratio": round(ratio, 2)}
        print(f"{name:26} p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   p99 / floor {ratio:5.2f}")
    print(
        f"seeded: {DAYS} daily snapshots, {POSTS} posts x {HISTORY_POINTS} history points; "
        f"{samples} samples each"
    )
    print(json.dumps(figures))
    worst = max(figures[name]["p99_ratio"] for name in ("roster", "account detail 90d"))
    print(f"worst p99 ratio to the floor (roster, detail 90d): {worst:.2f} (target <= {TARGET_RATIO:g})")
    return 0 if worst <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
