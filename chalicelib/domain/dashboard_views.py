"""What each dashboard view answers: its JSON shape and its CSV rows, built from domain objects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from chalicelib.domain.connections import Connection
from chalicelib.domain.dashboard import Cadence, RankedPost
from chalicelib.domain.platforms import Demographics, DemographicsUnavailableReason, Post, PostMetrics, Share
from chalicelib.domain.summary import GROWTH_DAYS

Row = Sequence[Any]
TOP_COUNTRIES: Final = 10

ROSTER_COLUMNS: Final = (
    "creator",
    "platform",
    "account_name",
    "status",
    "followers",
    "growth_7d",
    "growth_30d",
    "growth_90d",
    "engagement_rate",
    "open_alerts",
    "last_sync_at",
)
POST_COLUMNS: Final = (
    "id",
    "created_at",
    "caption_excerpt",
    "permalink",
    "media_type",
    "views",
    "likes",
    "comments",
    "shares",
    "saves",
    "engagement_rate",
)
HISTORY_COLUMNS: Final = ("taken_at", "views", "likes", "comments", "shares", "saves")
REASONS: Final = {
    DemographicsUnavailableReason.NOT_OFFERED: "not_provided_by_platform",
    DemographicsUnavailableReason.BELOW_THRESHOLD: "below_threshold",
    DemographicsUnavailableReason.PERMISSION_MISSING: "permission_missing",
}
NOT_SYNCED_YET: Final = "not_synced_yet"


def _ts(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@dataclass(frozen=True)
class AccountCard:
    connection: Connection
    open_alerts: int

    def as_json(self) -> dict[str, Any]:
        c, stats = self.connection, self.connection.stats
        return {
            "connection_id": c.id,
            "platform": c.platform.value,
            "account_name": c.account_name,
            "status": c.status.value,
            "needs_reauth": c.needs_reauth,
            "last_sync_at": _ts(c.last_sync_at),
            "followers": stats.followers if stats else None,
            "growth": {f"{days}d": stats.growth.get(days) if stats else None for days in GROWTH_DAYS},
            "engagement_rate": stats.engagement_rate if stats else None,
            "open_alerts": self.open_alerts,
        }


@dataclass(frozen=True)
class CreatorGroup:
    member_id: str | None
    name: str
    accounts: list[AccountCard]


@dataclass(frozen=True)
class RosterView:
    generated_at: datetime
    creators: list[CreatorGroup]

    def as_json(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at.isoformat(),
            "creators": [
                {
                    "member_id": group.member_id,
                    "name": group.name,
                    "accounts": [card.as_json() for card in group.accounts],
                }
                for group in self.creators
            ],
        }

    def csv_rows(self) -> list[Row]:
        rows: list[Row] = [ROSTER_COLUMNS]
        for group in self.creators:
            for card in group.accounts:
                data = card.as_json()
                growth = data["growth"]
                rows.append(
                    (
                        group.name,
                        data["platform"],
                        data["account_name"],
                        data["status"],
                        data["followers"],
                        growth["7d"],
                        growth["30d"],
                        growth["90d"],
                        data["engagement_rate"],
                        data["open_alerts"],
                        data["last_sync_at"],
                    )
                )
        return rows


@dataclass(frozen=True)
class PostRow:
    post: Post
    metrics: PostMetrics

    @classmethod
    def of(cls, post: Post, metrics: PostMetrics) -> PostRow:
        return cls(post, metrics)

    @property
    def ranked(self) -> RankedPost:
        return RankedPost(self.post.id, self.post.created_at, self.metrics)

    def as_json(self) -> dict[str, Any]:
        p, m = self.post, self.metrics
        return {
            "id": p.id,
            "created_at": p.created_at.isoformat(),
            "caption_excerpt": p.caption_excerpt,
            "permalink": p.permalink,
            "media_type": p.media_type.value,
            "views": m.views,
            "likes": m.likes,
            "comments": m.comments,
            "shares": m.shares,
            "saves": m.saves,
            "engagement_rate": self.ranked.engagement,
        }

    def csv_row(self) -> Row:
        data = self.as_json()
        return tuple(data[column] for column in POST_COLUMNS)


@dataclass(frozen=True)
class AccountView:
    card: AccountCard
    since: date
    until: date
    followers: list[tuple[date, int]]
    cadence: Cadence
    top_posts: list[PostRow]

    def as_json(self) -> dict[str, Any]:
        return {
            "account": self.card.as_json(),
            "range": {"since": self.since.isoformat(), "until": self.until.isoformat()},
            "followers": [{"date": day.isoformat(), "value": value} for day, value in self.followers],
            "cadence": self.cadence.as_json(),
            "top_posts": [row.as_json() for row in self.top_posts],
        }

    def csv_rows(self) -> list[Row]:
        return [("date", "followers"), *((day.isoformat(), value) for day, value in self.followers)]


@dataclass(frozen=True)
class PostsPage:
    items: list[PostRow]
    next_cursor: str | None
    total: int

    def as_json(self) -> dict[str, Any]:
        return {
            "items": [row.as_json() for row in self.items],
            "next_cursor": self.next_cursor,
            "total": self.total,
        }

    def csv_rows(self) -> list[Row]:
        return [POST_COLUMNS, *(row.csv_row() for row in self.items)]


@dataclass(frozen=True)
class HistoryPoint:
    taken_at: datetime
    metrics: PostMetrics


@dataclass(frozen=True)
class PostView:
    row: PostRow
    views_at: dict[str, int]
    history: list[HistoryPoint]

    def as_json(self) -> dict[str, Any]:
        return {
            "post": self.row.as_json(),
            "views_at": dict(self.views_at),
            "history": [
                {
                    "taken_at": point.taken_at.isoformat(),
                    "views": point.metrics.views,
                    "likes": point.metrics.likes,
                    "comments": point.metrics.comments,
                    "shares": point.metrics.shares,
                    "saves": point.metrics.saves,
                }
                for point in self.history
            ],
        }

    def csv_rows(self) -> list[Row]:
        points = self.as_json()["history"]
        return [HISTORY_COLUMNS, *(tuple(point[c] for c in HISTORY_COLUMNS) for point in points)]


@dataclass(frozen=True)
class DemographicsView:
    reason: str | None
    taken_at: datetime | None = None
    genders: tuple[Share, ...] = ()
    age_ranges: tuple[Share, ...] = ()
    countries: tuple[Share, ...] = ()
    us_share: float | None = None
    dimensions: dict[str, tuple[Share, ...]] = field(init=False)

    def __post_init__(self) -> None:
        top = tuple(sorted(self.countries, key=lambda s: s.share, reverse=True)[:TOP_COUNTRIES])
        dimensions = {"gender": self.genders, "age_range": self.age_ranges, "country": top}
        object.__setattr__(self, "dimensions", dimensions)

    @classmethod
    def of(cls, demographics: Demographics | None, taken_at: datetime | None) -> DemographicsView:
        if demographics is None:
            return cls(reason=NOT_SYNCED_YET)
        if demographics.unavailable_reason is not None:
            return cls(reason=REASONS[demographics.unavailable_reason], taken_at=taken_at)
        return cls(
            reason=None,
            taken_at=taken_at,
            genders=demographics.genders,
            age_ranges=demographics.age_ranges,
            countries=demographics.countries,
            us_share=demographics.share_of_country("US"),
        )

    def as_json(self) -> dict[str, Any]:
        def shares(values: tuple[Share, ...]) -> list[dict[str, Any]]:
            return [{"key": s.key, "share": s.share} for s in values]

        return {
            "available": self.reason is None,
            "reason": self.reason,
            "taken_at": _ts(self.taken_at),
            "genders": shares(self.dimensions["gender"]),
            "age_ranges": shares(self.dimensions["age_range"]),
            "countries": shares(self.dimensions["country"]),
            "us_share": self.us_share,
        }

    def csv_rows(self) -> list[Row]:
        rows: list[Row] = [("dimension", "key", "share")]
        for dimension, values in self.dimensions.items():
            rows += [(dimension, s.key, s.share) for s in values]
        return rows
