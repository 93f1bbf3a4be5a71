"""Look up the provider for a network by its identifier."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from chalicelib.domain.platforms import Platform
from chalicelib.platforms.base import PlatformProvider
from chalicelib.platforms.config import PlatformConfig

__all__ = ["ProviderRegistry", "UnknownPlatformError", "build_providers"]


class UnknownPlatformError(LookupError):
    """No provider is configured for this identifier."""


class ProviderRegistry:
    def __init__(self, providers: Mapping[Platform, PlatformProvider]) -> None:
        self._providers = dict(providers)

    def get(self, identifier: Platform | str) -> PlatformProvider:
        try:
            return self._providers[Platform(identifier)]
        except (ValueError, KeyError):
            raise UnknownPlatformError(f"No provider is configured for {identifier!r}.") from None

    def __contains__(self, identifier: object) -> bool:
        return identifier in self._providers

    @property
    def platforms(self) -> tuple[Platform, ...]:
        return tuple(self._providers)


def build_providers(
    configs: Iterable[PlatformConfig], wall_clock: Callable[[], datetime] | None = None
) -> ProviderRegistry:
    """One provider per configured network (modules imported here, on first use, not at app import)."""
    from chalicelib.platforms.facebook import FacebookProvider
    from chalicelib.platforms.instagram import InstagramProvider
    from chalicelib.platforms.threads import ThreadsProvider
    from chalicelib.platforms.tiktok import TikTokProvider
    from chalicelib.platforms.youtube import YouTubeProvider

    kinds: Mapping[Platform, Callable[[PlatformConfig, Callable[[], datetime] | None], PlatformProvider]] = {
        Platform.TIKTOK: TikTokProvider,
        Platform.YOUTUBE: YouTubeProvider,
        Platform.FACEBOOK: FacebookProvider,
        Platform.INSTAGRAM: InstagramProvider,
        Platform.THREADS: ThreadsProvider,
    }
    return ProviderRegistry(
        {config.platform: kinds[config.platform](config, wall_clock) for config in configs}
    )
