"""Threads: its own OAuth app, long-lived tokens that refresh themselves, profile, posts, insights
(platforms/meta.md §5). Threads documents no revoke call: ``revoke`` does nothing at the platform (the
creator removes the app in Threads settings, which sends the deauthorize callback).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from chalicelib.domain.platforms import (
    AuthorizationRequest,
    Demographics,
    DemographicsUnavailableReason,
    MediaType,
    Platform,
    Post,
    PostMetrics,
    Profile,
    TokenSet,
)
from chalicelib.platforms.base import Call, Dialect, Flow, Parallel, immediate
from chalicelib.platforms.config import THREADS_VERSION, PlatformConfig
from chalicelib.platforms.media_errors import readable
from chalicelib.platforms.meta_graph import PAGE_LIMIT, breakdown_shares, collect, graph_time, insight_values
from chalicelib.security.secret import Secret

__all__ = ["ThreadsProvider"]

POST_FIELDS = "id,text,media_type,permalink,timestamp"
MEDIA_METRICS = "views,likes,replies,reposts,quotes,shares"
MEDIA_TYPES = {
    "TEXT_POST": MediaType.TEXT,
    "IMAGE": MediaType.IMAGE,
    "VIDEO": MediaType.VIDEO,
    "CAROUSEL_ALBUM": MediaType.CAROUSEL,
    "AUDIO": MediaType.AUDIO,
}
BREAKDOWNS = ("age", "gender", "country")
INSIGHTS = "threads_manage_insights"


class ThreadsProvider:
    revocable: bool = False  # no documented revoke call (platforms/meta.md §5)

    def __init__(self, config: PlatformConfig, wall_clock: Callable[[], datetime] | None = None) -> None:
        self._config = config
        self._version = config.api_version or THREADS_VERSION
        self._now = wall_clock or (lambda: datetime.now(UTC))

    @property
    def platform(self) -> Platform:
        return Platform.THREADS

    def _call(
        self, path: str, token: Secret | None, params: Mapping[str, str] | None = None, **kw: Any
    ) -> Call:
        return Call(
            platform=Platform.THREADS,
            dialect=Dialect.GRAPH,
            method=kw.pop("method", "GET"),
            url=self._config.url("graph_threads", path),
            params=params or {},
            token=token,
            **kw,
        )

    def _api(self, path: str, tokens: TokenSet, params: Mapping[str, str] | None = None) -> Call:
        return self._call(f"/{self._version}/{path}", tokens.access_token, params)

    # ---- OAuth ---------------------------------------------------------------------------------

    def authorization_request(self, state: str) -> AuthorizationRequest:
        params = {
            "client_id": self._config.client_id,
            "redirect_uri": self._config.redirect_uri,
            "scope": ",".join(self._config.scopes),
            "response_type": "code",
            "state": state,
        }
        url = httpx.URL(self._config.url("threads_auth", "/oauth/authorize"), params=params)
        return AuthorizationRequest(
            platform=Platform.THREADS,
            url=str(url),
            state=state,
            redirect_uri=self._config.redirect_uri,
            scopes=self._config.scopes,
        )

    def exchange_code(self, code: str, request: AuthorizationRequest) -> Flow[TokenSet]:
        short = yield Call(
            platform=Platform.THREADS,
            dialect=Dialect.GRAPH,
            method="POST",
            url=self._config.url("graph_threads", "/oauth/access_token"),
            form={
                "client_id": self._config.client_id,
                "client_secret": self._config.client_secret.reveal(),
                "code": code,
                "grant_type": "authorization_code",
                "redirect_uri": request.redirect_uri,
            },
            idempotent=False,
        )
        user_id = str(short["user_id"])  # a number or a string, depending on the day
        # The exchange endpoints take the token as a query parameter (platforms/meta.md §5.1).
        long = yield self._call(
            "/access_token",
            None,
            {
                "grant_type": "th_exchange_token",
                "client_secret": self._config.client_secret.reveal(),
                "access_token": str(short["access_token"]),
            },
        )
        token = Secret(str(long["access_token"]))
        debug = yield self._call(f"/{self._version}/debug_token", token, {"input_token": token.reveal()})
        return TokenSet(
            platform=Platform.THREADS,
            access_token=token,
            user_id=user_id,
            scopes=frozenset(debug.get("data", {}).get("scopes") or ()),
            expires_at=self._expiry(long),
            account_id=user_id,
        )

    def refresh(self, tokens: TokenSet) -> Flow[TokenSet]:
        body = yield self._call(
            "/refresh_access_token",
            None,
            {"grant_type": "th_refresh_token", "access_token": tokens.access_token.reveal()},
        )
        return TokenSet(
            platform=Platform.THREADS,
            access_token=Secret(str(body["access_token"])),
            user_id=tokens.user_id,
            scopes=tokens.scopes,
            expires_at=self._expiry(body),
            account_id=tokens.account_id,
        )

    def _expiry(self, body: Mapping[str, Any]) -> datetime | None:
        expires_in = body.get("expires_in")
        return self._now() + timedelta(seconds=int(expires_in)) if expires_in else None

    def revoke(self, tokens: TokenSet) -> Flow[None]:  # noqa: ARG002 - the Protocol's shape
        return immediate(None)

    # ---- data ----------------------------------------------------------------------------------

    def profile(self, tokens: TokenSet) -> Flow[Profile]:
        fields = {"fields": "id,username,name,threads_profile_picture_url,threads_biography,is_verified"}
        calls = [self._api("me", tokens, fields)]
        if INSIGHTS in tokens.scopes:
            calls.append(self._api("me/threads_insights", tokens, {"metric": "followers_count"}))
        replies = yield Parallel(tuple(calls))
        body = replies[0]
        followers = insight_values(replies[1]).get("followers_count") if len(replies) > 1 else None
        username = body.get("username")
        return Profile(
            platform=Platform.THREADS,
            account_id=str(body["id"]),
            handle=username,
            display_name=body.get("name"),
            avatar_url=body.get("threads_profile_picture_url"),
            profile_url=f"https://www.threads.net/@{username}" if username else None,
            bio=body.get("threads_biography"),
            verified=body.get("is_verified"),
            followers=followers,
        )

    def posts(
        self, tokens: TokenSet, *, since_post_id: str | None = None, max_posts: int = 1000
    ) -> Flow[list[Post]]:
        call = self._api("me/threads", tokens, {"fields": POST_FIELDS, "limit": PAGE_LIMIT})
        items = yield from collect(call, stop_at=since_post_id, max_items=max_posts)
        return [_post(item) for item in items]

    def post_metrics(self, tokens: TokenSet, post_ids: Sequence[str]) -> Flow[dict[str, PostMetrics]]:
        ids = list(dict.fromkeys(post_ids))
        if not ids:
            return {}
        calls = tuple(
            self._api(f"{media_id}/insights", tokens, {"metric": MEDIA_METRICS}) for media_id in ids
        )
        replies = yield Parallel(calls, return_errors=True)
        out: dict[str, PostMetrics] = {}
        for media_id, reply in zip(ids, replies, strict=True):
            if not readable(reply):
                continue  # gone since it was listed, or never measured: left out, as the Protocol says
            values = insight_values(reply)
            out[media_id] = PostMetrics(
                post_id=media_id,
                views=values.get("views"),
                likes=values.get("likes"),
                comments=values.get("replies"),
                shares=values.get("shares"),
                reposts=_sum(values.get("reposts"), values.get("quotes")),
            )
        return out

    def demographics(self, tokens: TokenSet) -> Flow[Demographics]:
        if INSIGHTS not in tokens.scopes:
            return immediate(
                Demographics.not_available(Platform.THREADS, DemographicsUnavailableReason.PERMISSION_MISSING)
            )
        return self._demographics(tokens)

    def _demographics(self, tokens: TokenSet) -> Flow[Demographics]:
        calls = tuple(
            self._api("me/threads_insights", tokens, {"metric": "follower_demographics", "breakdown": b})
            for b in BREAKDOWNS
        )
        replies = yield Parallel(calls)
        ages, genders, countries = (breakdown_shares(r, b) for r, b in zip(replies, BREAKDOWNS, strict=True))
        if ages is None and genders is None and countries is None:
            return Demographics.not_available(Platform.THREADS, DemographicsUnavailableReason.BELOW_THRESHOLD)
        return Demographics(
            platform=Platform.THREADS, genders=genders or (), age_ranges=ages or (), countries=countries or ()
        )


def _sum(*values: Any) -> int | None:
    numbers = [int(v) for v in values if v is not None]
    return sum(numbers) if numbers else None


def _post(item: Mapping[str, Any]) -> Post:
    return Post(
        platform=Platform.THREADS,
        id=str(item["id"]),
        created_at=graph_time(str(item["timestamp"])),
        caption_excerpt=Post.excerpt(item.get("text")),
        permalink=item.get("permalink"),
        media_type=MEDIA_TYPES.get(str(item.get("media_type")), MediaType.OTHER),
    )
