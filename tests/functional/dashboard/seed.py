"""Dashboard data written through the real repositories, relative to now (the API reads the wall clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from chalicelib.domain.connections import Alert, Connection, ConnectionStatus, SealedTokens
from chalicelib.domain.platforms import (
    Demographics,
    MediaType,
    Platform,
    Post,
    PostMetrics,
    Profile,
)
from chalicelib.domain.snapshots import DemographicsSnapshot, PostSnapshot, ProfileSnapshot
from chalicelib.security.tokens import new_id
from chalicelib.storage.connections import ConnectionsRepository
from chalicelib.storage.metrics import SnapshotRepository
from chalicelib.storage.posts import PostRepository, StoredPost

RETENTION: Final = timedelta(days=1095)
NOW: Final = datetime.now(UTC).replace(microsecond=0)


def connect(
    workspace_id: str, owner_member_id: str, name: str = "ana", platform: Platform = Platform.TIKTOK
) -> Connection:
    connection = Connection(
        id=new_id(),
        workspace_id=workspace_id,
        platform=platform,
        account_id=f"acct-{name}",
        account_name=name,
        owner_member_id=owner_member_id,
        status=ConnectionStatus.ACTIVE,
        scopes=frozenset({"user.info.basic"}),
        missing_scopes=frozenset(),
        platform_user_id=f"user-{name}",
        connected_at=NOW - timedelta(days=800),
    )
    tokens = SealedTokens(access="sealed-envelope", expires_at=None, scopes=connection.scopes, user_id="u")
    ConnectionsRepository().save_connection(connection, tokens, None)
    return connection


def followers_on(day_index: int) -> int:
    """The seeded follower count ``day_index`` days before today."""
    return 20_000 - day_index * 10


def profile_days(connection: Connection, days: int) -> None:
    """One profile reading a day for ``days`` days up to today (today included)."""
    SnapshotRepository().write(
        [
            ProfileSnapshot(
                connection.id,
                NOW - timedelta(days=back),
                Profile(connection.platform, connection.account_id, None, None, followers=followers_on(back)),
            )
            for back in range(days)
        ],
        RETENTION,
    )


def posts(connection: Connection, count: int, history_points: int = 0) -> list[StoredPost]:
    """``count`` posts, one every 20 hours back from now, each with views i*37 % 1009 (ties included)."""
    stored = []
    snapshots = []
    for i in range(count):
        created = NOW - timedelta(hours=20 * i + 1)
        views = (i * 37) % 1009
        metrics = PostMetrics(
            f"p{i:04d}", views=views, likes=views // 10, comments=i % 7, shares=i % 3, saves=1
        )
        caption = f"=caption {i} " + "x" * 120  # a full-length excerpt, and a formula-looking one
        post = Post(
            connection.platform,
            f"p{i:04d}",
            created,
            caption[:140],
            f"https://t.example/{i}",
            MediaType.VIDEO,
        )
        views_at = {"6h": views // 4, "24h": views // 2} if i % 2 else {"6h": views // 4}
        stored.append(StoredPost(connection.id, post, metrics, NOW, views_at))
        for point in range(history_points):
            taken = created + timedelta(hours=6 * (point + 1))
            snapshots.append(
                PostSnapshot(
                    connection.id, taken, PostMetrics(post.id, views=views * (point + 1) // history_points)
                )
            )
    PostRepository().save(stored, RETENTION)
    if snapshots:
        SnapshotRepository().write(snapshots, RETENTION)
    return stored


def demographics(connection: Connection, value: Demographics) -> None:
    SnapshotRepository().write([DemographicsSnapshot(connection.id, NOW, value)], RETENTION)


def alert(connection: Connection, kind: str, created_at: datetime, **detail: float | int | str) -> Alert:
    raised = Alert(
        id=new_id(),
        workspace_id=connection.workspace_id,
        kind=kind,
        connection_id=connection.id,
        platform=connection.platform,
        account_name=connection.account_name,
        created_at=created_at,
        **detail,  # type: ignore[arg-type]
    )
    ConnectionsRepository().record_alert(raised)
    return raised
