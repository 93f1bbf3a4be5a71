"""Which alerts a member wants by e-mail. In-app alerts reach everyone who can see the account;
e-mail only those who opted in for that kind of alert."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Final

ALERT_KINDS: Final = ("viral_post", "follower_spike", "follower_drop", "sync_failed", "needs_reauth")


@dataclass(frozen=True)
class AlertEmails:
    """One switch per alert kind. By default only the alerts that need someone to act are mailed."""

    viral_post: bool = False
    follower_spike: bool = False
    follower_drop: bool = False
    sync_failed: bool = True
    needs_reauth: bool = True

    def wants(self, kind: str) -> bool:
        return kind in ALERT_KINDS and bool(getattr(self, kind))

    def as_flags(self) -> dict[str, bool]:
        return asdict(self)

    @classmethod
    def from_flags(cls, flags: Mapping[str, object]) -> AlertEmails:
        """From stored or validated switches; a kind that is missing keeps its default."""
        defaults = cls()
        return cls(**{kind: bool(flags.get(kind, getattr(defaults, kind))) for kind in ALERT_KINDS})
