"""What CreatorDeck knows about a creator's account on a network, in its own words.

Providers in ``chalicelib/platforms`` turn each platform's JSON into these types; nothing outside that
package sees platform JSON. Counters a platform does not give are ``None``, never 0: "unknown" and
"nothing" are different facts on a dashboard.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chalicelib.security.secret import Secret

__all__ = [
    "AuthorizationRequest",
    "ConnectableAccount",
    "Demographics",
    "DemographicsUnavailableReason",
    "FacebookPage",
    "MediaType",
    "Platform",
    "Post",
    "PostMetrics",
    "Profile",
    "Share",
    "TokenSet",
]


class Platform(enum.StrEnum):
    TIKTOK = "tiktok"
    INSTAGRAM = "instagram"
    FACEBOOK = "facebook"
    THREADS = "threads"
    YOUTUBE = "youtube"


@dataclass(frozen=True)
class TokenSet:
    """The credentials of one connection, as the platform last issued them.

    ``refresh_token`` is whatever renews ``access_token``: TikTok's and Google's refresh tokens; for a
    Facebook Page or Instagram account the long-lived *user* token that mints the Page token (and is
    the only token that can revoke the app); None for Threads, whose token refreshes itself.
    ``account_id`` names the account the access token acts for when it is not the user (a Page or an
    Instagram account reached through a Page).
    """

    platform: Platform
    access_token: Secret
    user_id: str
    scopes: frozenset[str]
    expires_at: datetime | None
    refresh_token: Secret | None = None
    refresh_expires_at: datetime | None = None
    account_id: str | None = None

    def expires_within(self, now: datetime, margin: timedelta) -> bool:
        """True when the access token is dead or will be within ``margin`` (refresh it now)."""
        return self.expires_at is not None and self.expires_at - margin <= now

    def missing_scopes(self, wanted: tuple[str, ...] | frozenset[str]) -> frozenset[str]:
        return frozenset(wanted) - self.scopes


@dataclass(frozen=True)
class AuthorizationRequest:
    """Where to send the browser, and what to keep (server side, with ``state``) until the callback."""

    platform: Platform
    url: str
    state: str
    redirect_uri: str
    scopes: tuple[str, ...]
    code_verifier: Secret | None = None


@dataclass(frozen=True)
class Profile:
    platform: Platform
    account_id: str
    handle: str | None
    display_name: str | None
    avatar_url: str | None = None
    profile_url: str | None = None
    bio: str | None = None
    verified: bool | None = None
    followers: int | None = None
    following: int | None = None
    posts_count: int | None = None
    likes_count: int | None = None
    views_count: int | None = None


class MediaType(enum.StrEnum):
    VIDEO = "video"
    IMAGE = "image"
    CAROUSEL = "carousel"
    TEXT = "text"
    AUDIO = "audio"
    OTHER = "other"


@dataclass(frozen=True)
class PostMetrics:
    """Lifetime counters of one post at the time they were read; None where the platform gives none."""

    post_id: str
    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    reach: int | None = None
    reposts: int | None = None


@dataclass(frozen=True)
class Post:
    """One published post. ``metrics`` is filled when the listing carries counters at no extra cost."""

    platform: Platform
    id: str
    created_at: datetime
    caption_excerpt: str
    permalink: str | None
    media_type: MediaType
    metrics: PostMetrics | None = None

    CAPTION_EXCERPT_LENGTH = 140

    @staticmethod
    def excerpt(caption: str | None) -> str:
        text = " ".join((caption or "").split())
        limit = Post.CAPTION_EXCERPT_LENGTH
        return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Share:
    """One bucket of an audience and its share of the whole, 0..1."""

    key: str
    share: float


class DemographicsUnavailableReason(enum.StrEnum):
    NOT_OFFERED = "not_offered"  # the platform's API for this kind of account has none
    BELOW_THRESHOLD = "below_threshold"  # too small an audience; the platform withholds it
    PERMISSION_MISSING = "permission_missing"  # the creator did not grant the insights scope


@dataclass(frozen=True)
class Demographics:
    """Audience make-up, or an explicit reason why there is none (never an empty "available" set)."""

    platform: Platform
    unavailable_reason: DemographicsUnavailableReason | None = None
    genders: tuple[Share, ...] = ()
    age_ranges: tuple[Share, ...] = ()
    countries: tuple[Share, ...] = ()

    @property
    def available(self) -> bool:
        return self.unavailable_reason is None

    @classmethod
    def not_available(cls, platform: Platform, reason: DemographicsUnavailableReason) -> Demographics:
        return cls(platform=platform, unavailable_reason=reason)

    def share_of_country(self, country: str) -> float | None:
        if not self.available:
            return None
        return next((s.share for s in self.countries if s.key == country.upper()), 0.0)


@dataclass(frozen=True)
class FacebookPage:
    """A Page the signed-in Facebook user can act for, with its linked Instagram account if any."""

    id: str
    name: str
    category: str | None
    tasks: tuple[str, ...]
    instagram_account_id: str | None


@dataclass(frozen=True)
class ConnectableAccount:
    """One choice on Meta's "which Pages / Instagram accounts" step, carrying its own tokens."""

    platform: Platform
    account_id: str
    name: str
    via_page_id: str
    tokens: TokenSet = field(repr=False)
