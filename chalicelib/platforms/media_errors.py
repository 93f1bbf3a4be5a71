"""Which failed per-post Graph call means "this media is gone", not "try again" (platforms/meta.md).

A post's insights are read one call per post; a post deleted since it was listed must not sink the
readings of the others, but a throttle or an outage must fail the sync so SQS redelivers it: a post
skipped then would never get its reading, and the sync would be recorded as done.
"""

from __future__ import annotations

from chalicelib.platforms.base import PlatformError

__all__ = ["is_media_gone"]

# (code, subcode): "Object with ID ... does not exist, cannot be loaded due to missing permissions"
# (code 100, subcode 33); "media not found or expired" (code 24, any subcode).
GONE_SUBCODES = {"100": frozenset({"33"})}
GONE_CODES = frozenset({"24"})


def is_media_gone(error: PlatformError) -> bool:
    """True when a Graph call about one media failed because that media no longer exists."""
    code, subcode = error.platform_code, error.platform_subcode
    if code in GONE_CODES:
        return True
    return code in GONE_SUBCODES and subcode in GONE_SUBCODES[code]
