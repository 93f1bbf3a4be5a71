"""One provider per social network behind one Protocol, and the HTTP client that runs them.

Platform JSON never leaves this package: providers return :mod:`chalicelib.domain.platforms` types.
"""

from __future__ import annotations

from chalicelib.platforms.base import (
    AccessTokenExpiredError,
    BadRequestError,
    PermissionMissingError,
    PlatformError,
    PlatformProvider,
    RateLimitedError,
    ReauthorizeError,
    RetryLaterError,
)
from chalicelib.platforms.config import PlatformConfig
from chalicelib.platforms.http import AsyncPlatformClient, Deadline, PlatformClient, RetryPolicy
from chalicelib.platforms.registry import ProviderRegistry, UnknownPlatformError, build_providers

__all__ = [
    "AccessTokenExpiredError",
    "AsyncPlatformClient",
    "BadRequestError",
    "Deadline",
    "PermissionMissingError",
    "PlatformClient",
    "PlatformConfig",
    "PlatformError",
    "PlatformProvider",
    "ProviderRegistry",
    "RateLimitedError",
    "ReauthorizeError",
    "RetryLaterError",
    "RetryPolicy",
    "UnknownPlatformError",
    "build_providers",
]
