"""TikTok: Login Kit v2 (hex-PKCE), token refresh with rotation, revoke, Display API v2 (platforms/tiktok.md).

The Display API has no audience demographics (those live in the Business API), so ``demographics``
says "not offered" without a call.
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
from chalicelib.platforms.base import (
    BadRequestError,
    Call,
    Dialect,
    Flow,
    Parallel,
    ReauthorizeError,
    immediate,
)
from chalicelib.platforms.config import PlatformConfig
from chalicelib.platforms.pkce import hex_challenge, new_verifier
from chalicelib.security.secret import Secret

__all__ = ["TikTokProvider"]

# Profile fields by the scope that unlocks them; only granted ones are asked for (a partial grant
# must not fail the whole profile with scope_permission_missed).
USER_FIELDS: Mapping[str, tuple[str, ...]] = {
    "user.info.basic": ("open_id", "avatar_url", "display_name"),
    "user.info.profile": ("username", "bio_description", "is_verified", "profile_deep_link"),
    "user.info.stats": ("follower_count", "following_count", "likes_count", "video_count"),
}
VIDEO_FIELDS = (
    "id,create_time,title,video_description,share_url,view_count,like_count,comment_count,share_count"
)
PAGE_SIZE = 20  # video/list max_count and video/query ids, both capped at 20
MAX_PAGES = 200


class TikTokProvider:
    revocable: bool = True  # POST /v2/oauth/revoke/

    def __init__(self, config: PlatformConfig, wall_clock: Callable[[], datetime] | None = None) -> None:
        self._config = config
        self._now = wall_clock or (lambda: datetime.now(UTC))

    @property
    def platform(self) -> Platform:
        return Platform.TIKTOK

    # ---- OAuth ---------------------------------------------------------------------------------

    def authorization_request(self, state: str) -> AuthorizationRequest:
        verifier = new_verifier()
        params = {
            "client_key": self._config.client_id,
            "response_type": "code",
            "scope": ",".join(self._config.scopes),
            "redirect_uri": self._config.redirect_uri,
            "state": state,
            "code_challenge": hex_challenge(verifier),
            "code_challenge_method": "S256",
        }
        url = httpx.URL(self._config.url("tiktok_auth", "/v2/auth/authorize/"), params=params)
        return AuthorizationRequest(
            platform=Platform.TIKTOK,
            url=str(url),
            state=state,
            redirect_uri=self._config.redirect_uri,
            scopes=self._config.scopes,
            code_verifier=Secret(verifier),
        )

    def exchange_code(self, code: str, request: AuthorizationRequest) -> Flow[TokenSet]:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": request.redirect_uri,
        }
        if request.code_verifier is not None:
            form["code_verifier"] = request.code_verifier.reveal()
        body = yield self._oauth("/v2/oauth/token/", form)
        return self._token_set(body, previous=None)

    def refresh(self, tokens: TokenSet) -> Flow[TokenSet]:
        if tokens.refresh_token is None:
            raise ReauthorizeError(
                "No refresh token is stored for this TikTok connection.", platform="tiktok"
            )
        form = {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token.reveal()}
        body = yield self._oauth("/v2/oauth/token/", form)
        return self._token_set(body, previous=tokens)

    def revoke(self, tokens: TokenSet) -> Flow[None]:
        try:
            yield self._oauth("/v2/oauth/revoke/", {"token": tokens.access_token.reveal()})
        except BadRequestError:
            # TikTok refuses an expired access token as unknown (tiktok.md §1.4): refresh, then revoke.
            if tokens.refresh_token is None:
                return
            try:
                fresh = yield from self.refresh(tokens)
            except ReauthorizeError:
                return  # the grant is already gone
            yield self._oauth("/v2/oauth/revoke/", {"token": fresh.access_token.reveal()})

    def _oauth(self, path: str, form: Mapping[str, str]) -> Call:
        return Call(
            platform=Platform.TIKTOK,
            dialect=Dialect.TIKTOK_OAUTH,
            method="POST",
            url=self._config.url("tiktok_api", path),
            form={
                "client_key": self._config.client_id,
                "client_secret": self._config.client_secret.reveal(),
                **form,
            },
            idempotent=False,
        )

    def _token_set(self, body: Any, previous: TokenSet | None) -> TokenSet:
        now = self._now()
        refresh = body.get("refresh_token")
        refresh_in = body.get("refresh_expires_in")
        return TokenSet(
            platform=Platform.TIKTOK,
            access_token=Secret(str(body["access_token"])),
            user_id=str(body.get("open_id") or (previous.user_id if previous else "")),
            scopes=frozenset(s for s in str(body.get("scope", "")).split(",") if s)
            or (previous.scopes if previous else frozenset()),
            expires_at=now + timedelta(seconds=int(body["expires_in"])),
            # Always keep the newest refresh token: TikTok may rotate it and kill the old one.
            refresh_token=Secret(str(refresh)) if refresh else (previous.refresh_token if previous else None),
            refresh_expires_at=(
                now + timedelta(seconds=int(refresh_in))
                if refresh_in is not None
                else (previous.refresh_expires_at if previous else None)
            ),
        )

    # ---- Display API ---------------------------------------------------------------------------

    def _api(self, method: str, path: str, tokens: TokenSet, fields: str, body: Any = None) -> Call:
        return Call(
            platform=Platform.TIKTOK,
            dialect=Dialect.TIKTOK_API,
            method=method,
            url=self._config.url("tiktok_api", path),
            params={"fields": fields},
            json=body,
            token=tokens.access_token,
        )

    def profile(self, tokens: TokenSet) -> Flow[Profile]:
        granted = [f for scope, fields in USER_FIELDS.items() if scope in tokens.scopes for f in fields]
        fields = ",".join(dict.fromkeys(["open_id", "display_name", "avatar_url", *granted]))
        body = yield self._api("GET", "/v2/user/info/", tokens, fields)
        user = body["data"]["user"]
        handle = user.get("username")
        return Profile(
            platform=Platform.TIKTOK,
            account_id=str(user.get("open_id") or tokens.user_id),
            handle=handle,
            display_name=user.get("display_name"),
            avatar_url=user.get("avatar_url"),
            profile_url=f"https://www.tiktok.com/@{handle}" if handle else None,
            bio=user.get("bio_description"),
            verified=user.get("is_verified"),
            followers=user.get("follower_count"),
            following=user.get("following_count"),
            posts_count=user.get("video_count"),
            likes_count=user.get("likes_count"),
        )

    def posts(
        self, tokens: TokenSet, *, since_post_id: str | None = None, max_posts: int = 1000
    ) -> Flow[list[Post]]:
        posts: list[Post] = []
        cursor: int | None = None
        for _ in range(MAX_PAGES):
            request: dict[str, Any] = {"max_count": PAGE_SIZE}
            if cursor is not None:
                request["cursor"] = cursor  # milliseconds, unlike create_time (seconds)
            body = yield self._api("POST", "/v2/video/list/", tokens, VIDEO_FIELDS, request)
            data = body["data"]
            for video in data.get("videos") or []:
                if str(video["id"]) == since_post_id or len(posts) >= max_posts:
                    return posts
                posts.append(_post(video))
            if not data.get("has_more") or data.get("cursor") in (None, cursor):
                return posts
            cursor = int(data["cursor"])
        return posts

    def post_metrics(self, tokens: TokenSet, post_ids: Sequence[str]) -> Flow[dict[str, PostMetrics]]:
        ids = list(dict.fromkeys(post_ids))
        batches = [ids[i : i + PAGE_SIZE] for i in range(0, len(ids), PAGE_SIZE)]
        if not batches:
            return {}
        calls = tuple(
            self._api("POST", "/v2/video/query/", tokens, VIDEO_FIELDS, {"filters": {"video_ids": batch}})
            for batch in batches
        )
        bodies = yield Parallel(calls)
        return {
            str(video["id"]): _metrics(video) for body in bodies for video in body["data"].get("videos") or []
        }

    def demographics(self, tokens: TokenSet) -> Flow[Demographics]:  # noqa: ARG002 - the Protocol's shape
        return immediate(
            Demographics.not_available(Platform.TIKTOK, DemographicsUnavailableReason.NOT_OFFERED)
        )


def _metrics(video: Mapping[str, Any]) -> PostMetrics:
    return PostMetrics(
        post_id=str(video["id"]),
        views=video.get("view_count"),
        likes=video.get("like_count"),
        comments=video.get("comment_count"),
        shares=video.get("share_count"),
    )


def _post(video: Mapping[str, Any]) -> Post:
    return Post(
        platform=Platform.TIKTOK,
        id=str(video["id"]),
        created_at=datetime.fromtimestamp(int(video["create_time"]), UTC),
        caption_excerpt=Post.excerpt(video.get("video_description") or video.get("title")),
        permalink=video.get("share_url"),
        media_type=MediaType.VIDEO,
        metrics=_metrics(video),
    )
