"""Runtime knobs: faults, lifetimes, consent behaviour and one switch per uncertain contract fact.

Every knob can be read and changed at runtime through ``GET/POST /_sim/knobs``. Knobs prefixed with a
platform name resolve a fact the contract marks [U] (uncertain); the default is the reading the
contract recommends.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any

__all__ = ["CHOICES", "KnobError", "Knobs"]


class KnobError(ValueError):
    """A knob update named an unknown knob or carried a value of the wrong type."""


CHOICES: dict[str, tuple[str, ...]] = {
    "timeout_mode": ("sleep", "close"),
    "tiktok_token_profile": ("current", "legacy"),
    "tiktok_rate_limit_scope": ("app", "token"),
    "meta_code_exchange_lifetime": ("short", "long"),
    "meta_reexchange_expiry": ("extended", "unchanged"),
    "ig_engaged_demographics_threshold": ("engagements", "followers"),
    "ig_demographics_below_threshold": ("empty", "error"),
    "ig_demographics_dimension_keys": ("breakdown", "timeframe_and_breakdown"),
    "threads_user_id_type": ("number", "string"),
    "threads_views_shape": ("time_series", "total_value"),
    "youtube_no_channel_items": ("omitted", "empty_list"),
}


@dataclasses.dataclass
class Knobs:
    """Mutable simulator settings; all defaults give a quiet, contract-default platform."""

    # Faults, applied to API hosts only (never to consent pages or /_sim).
    latency_ms: int = 0
    throttle_probability: float = 0.0
    throttle_next: int = 0
    retry_after_seconds: int | None = 30
    server_error_probability: float = 0.0
    server_error_next: int = 0
    timeout_probability: float = 0.0
    timeout_next: int = 0
    timeout_mode: str = "sleep"
    timeout_seconds: float = 30.0
    # Tokens and consent, all platforms.
    access_token_ttl_seconds: int | None = None
    auto_approve: bool = False
    next_user: str | None = None
    # TikTok [U] facts.
    tiktok_token_profile: str = "current"
    tiktok_refresh_rotation: bool = True
    tiktok_refresh_keeps_clock: bool = False
    tiktok_require_pkce_web: bool = True
    tiktok_oauth_error_status: int = 200
    tiktok_auth_code_ttl_seconds: int = 300
    tiktok_rate_limit_per_minute: int = 600
    tiktok_rate_limit_scope: str = "app"
    tiktok_send_retry_after: bool = True
    tiktok_profile_web_link: bool = True
    tiktok_video_is_aigc: bool = True
    tiktok_webhook_url: str | None = None
    # Meta (Facebook, Instagram, Threads) [U] facts.
    meta_code_ttl_seconds: int = 600
    meta_code_exchange_lifetime: str = "short"
    meta_omit_expires_in: bool = False
    meta_reexchange_expiry: str = "extended"
    meta_default_limit: int = 25
    meta_max_limit: int = 100
    meta_empty_page_with_next: bool = False
    meta_app_calls_per_hour: int = 2000
    meta_buc_calls_per_day: int = 4800
    ig_demographics_below_threshold: str = "empty"
    ig_demographics_dimension_keys: str = "breakdown"
    ig_follower_count_metric: bool = True
    ig_engaged_demographics_threshold: str = "engagements"
    ig_demographics_age_13_17: bool = True
    threads_user_id_type: str = "number"
    threads_views_shape: str = "time_series"
    # Google / YouTube [U] facts.
    google_code_ttl_seconds: int = 600
    google_refresh_token_expires_in: int | None = None
    google_gender_user_specified: bool = False
    youtube_max_video_ids: int = 50
    youtube_analytics_lag_days: int = 2
    youtube_daily_quota: int = 10_000
    youtube_no_channel_items: str = "omitted"
    youtube_round_subscriber_count: bool = False

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def update(self, values: Mapping[str, object]) -> None:
        """Apply a partial update, all or nothing."""
        hints = typing.get_type_hints(Knobs)
        checked: dict[str, object] = {}
        for name, value in values.items():
            if name not in hints:
                raise KnobError(f"unknown knob {name!r}")
            checked[name] = _coerce(name, hints[name], value)
        for name, value in checked.items():
            setattr(self, name, value)


def _coerce(name: str, hint: object, value: object) -> object:
    allowed = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    if value is None:
        if type(None) in allowed:
            return None
        raise KnobError(f"knob {name!r} cannot be null")
    if bool in allowed and isinstance(value, bool):
        return value
    if int in allowed and isinstance(value, int) and not isinstance(value, bool):
        return value
    if float in allowed and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if str in allowed and isinstance(value, str):
        if name in CHOICES and value not in CHOICES[name]:
            raise KnobError(f"knob {name!r} must be one of {', '.join(CHOICES[name])}")
        return value
    raise KnobError(f"knob {name!r} has the wrong type ({type(value).__name__})")
