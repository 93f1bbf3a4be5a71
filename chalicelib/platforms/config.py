"""Per-network configuration, built from plain values by the composition root (never from os.environ).

Base URLs are named like the simulator's ``Simulator.base_urls()`` keys, so the local stack can pass
that mapping as it is; anything not given falls back to the real host in ``DEFAULT_BASE_URLS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from chalicelib.domain.platforms import Platform
from chalicelib.security.secret import Secret

__all__ = ["DEFAULT_BASE_URLS", "DEFAULT_SCOPES", "GRAPH_VERSION", "THREADS_VERSION", "PlatformConfig"]

DEFAULT_BASE_URLS: Final[Mapping[str, str]] = {
    "tiktok_auth": "https://www.tiktok.com",
    "tiktok_api": "https://open.tiktokapis.com",
    "facebook_dialog": "https://www.facebook.com",
    "graph_facebook": "https://graph.facebook.com",
    "threads_auth": "https://threads.net",
    "graph_threads": "https://graph.threads.net",
    "google_auth": "https://accounts.google.com",
    "google_token": "https://oauth2.googleapis.com",
    "youtube_data": "https://www.googleapis.com",
    "youtube_analytics": "https://youtubeanalytics.googleapis.com",
}

# Least privilege for analytics (platforms/*.md): publishing scopes are asked for only when needed.
_YT = "https://www.googleapis.com/auth/"
DEFAULT_SCOPES: Final[Mapping[Platform, tuple[str, ...]]] = {
    Platform.TIKTOK: ("user.info.basic", "user.info.profile", "user.info.stats", "video.list"),
    Platform.YOUTUBE: (_YT + "youtube.readonly", _YT + "yt-analytics.readonly"),
    Platform.FACEBOOK: ("pages_show_list", "pages_read_engagement", "read_insights"),
    Platform.INSTAGRAM: (
        "pages_show_list",
        "pages_read_engagement",
        "instagram_basic",
        "instagram_manage_insights",
    ),
    Platform.THREADS: ("threads_basic", "threads_manage_insights"),
}

GRAPH_VERSION: Final = "v25.0"
THREADS_VERSION: Final = "v1.0"


@dataclass(frozen=True)
class PlatformConfig:
    """One network's app registration. Facebook and Instagram share the Meta app's id and secret."""

    platform: Platform
    client_id: str
    client_secret: Secret = field(repr=False)
    redirect_uri: str
    scopes: tuple[str, ...] = ()
    base_urls: Mapping[str, str] = field(default_factory=dict)
    api_version: str | None = None

    def __post_init__(self) -> None:
        if not self.scopes:
            object.__setattr__(self, "scopes", DEFAULT_SCOPES[self.platform])
        if not self.client_id or not self.client_secret or not self.redirect_uri:
            raise ValueError(f"{self.platform.value}: client id, client secret and redirect URI are required")

    def url(self, name: str, path: str = "") -> str:
        base = self.base_urls.get(name) or DEFAULT_BASE_URLS[name]
        return base.rstrip("/") + path
