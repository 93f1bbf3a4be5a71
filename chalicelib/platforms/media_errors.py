"""Which failed per-post Graph call means "this media has no reading", not "try again" (platforms/meta.md).

A post's insights are read one call per post. Some posts never have a reading, and asking again
changes nothing: deleted since they were listed (code 24, or 100 with subcode 33), a story under five
viewers (code 10, "Not enough viewers"), a metric the media's product type does not support (code
100). Such a post is left out and must not sink the readings of the others. A throttle, an outage or
a dead token is another matter: the sync fails so SQS redelivers it, since a post skipped then would
never get its reading while the sync was recorded as done.
"""

from __future__ import annotations

from chalicelib.platforms.base import (
    BadRequestError,
    PermissionMissingError,
    PlatformError,
    RateLimitedError,
    ReauthorizeError,
    RetryLaterError,
)

__all__ = ["has_no_reading", "readable"]


def has_no_reading(error: PlatformError) -> bool:
    """True when a Graph call about one media failed for a reason retrying cannot change."""
    if isinstance(error, RateLimitedError | RetryLaterError | ReauthorizeError):
        return False
    return isinstance(error, BadRequestError | PermissionMissingError)


def readable(*replies: object) -> bool:
    """Whether one media's replies can be read: False when one says it has no reading (the media is
    left out); a failure retrying can change is raised, so the sync fails and SQS brings it back."""
    failures = [reply for reply in replies if isinstance(reply, PlatformError)]
    for failure in failures:
        if not has_no_reading(failure):
            raise failure
    return not failures
