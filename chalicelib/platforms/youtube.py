"""YouTube: Google OAuth (base64url PKCE, offline access), Data API v3, Analytics v2 (platforms/youtube.md).

Posts walk the channel's uploads playlist (1 quota unit per 50 items), then read counters with
``videos.list`` in batches of 50 ids; ``search.list`` is never used (its quota is tiny).
"""

from __future__ import annotations

import contextlib
import dataclasses
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
    Share,
    TokenSet,
)
from chalicelib.platforms.base import (
    AccountMissingError,
    BadRequestError,
    Call,
    Dialect,
    Flow,
    Parallel,
    PlatformError,
    ReauthorizeError,
    immediate,
)
from chalicelib.platforms.config import PlatformConfig
from chalicelib.platforms.pkce import base64url_challenge, new_verifier
from chalicelib.security.secret import Secret

__all__ = ["YouTubeProvider"]

SCOPE = "https://www.googleapis.com/auth/"
DATA_SCOPES = frozenset(SCOPE + s for s in ("youtube.readonly", "youtube", "youtube.force-ssl"))
ANALYTICS_SCOPES = frozenset(
    SCOPE + s
    for s in ("yt-analytics.readonly", "yt-analytics-monetary.readonly", "youtube.readonly", "youtube")
)
BATCH = 50  # playlistItems maxResults and videos.list ids
MAX_PAGES = 200
DEMOGRAPHICS_WINDOW_DAYS = 90
GENDERS = {"female": "female", "male": "male", "user_specified": "unspecified"}


class YouTubeProvider:
    revocable: bool = True  # Google's /revoke

    def __init__(self, config: PlatformConfig, wall_clock: Callable[[], datetime] | None = None) -> None:
        self._config = config
        self._now = wall_clock or (lambda: datetime.now(UTC))

    @property
    def platform(self) -> Platform:
        return Platform.YOUTUBE

    # ---- OAuth ---------------------------------------------------------------------------------

    def authorization_request(self, state: str) -> AuthorizationRequest:
        verifier = new_verifier()
        params = {
            "client_id": self._config.client_id,
            "redirect_uri": self._config.redirect_uri,
            "response_type": "code",
            "scope": " ".join(self._config.scopes),
            "access_type": "offline",
            # A refresh token comes only on consent: ask every time so a reconnect gets one too.
            "prompt": "consent",
            "include_granted_scopes": "true",
            "state": state,
            "code_challenge": base64url_challenge(verifier),
            "code_challenge_method": "S256",
        }
        url = httpx.URL(self._config.url("google_auth", "/o/oauth2/v2/auth"), params=params)
        return AuthorizationRequest(
            platform=Platform.YOUTUBE,
            url=str(url),
            state=state,
            redirect_uri=self._config.redirect_uri,
            scopes=self._config.scopes,
            code_verifier=Secret(verifier),
        )

    def exchange_code(self, code: str, request: AuthorizationRequest) -> Flow[TokenSet]:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": request.redirect_uri}
        if request.code_verifier is not None:
            form["code_verifier"] = request.code_verifier.reveal()
        body = yield self._token_call(form, idempotent=False)
        tokens = self._token_set(body, previous=None)
        if not tokens.scopes & DATA_SCOPES:
            return tokens  # a partial grant: the caller decides; we cannot even name the channel
        channels = yield self._data("/youtube/v3/channels", tokens, {"part": "id", "mine": "true"})
        try:
            channel = _only_channel(channels)
        except AccountMissingError:
            # Nothing will use this grant: withdraw it now rather than leave CreatorDeck listed in the
            # person's Google account. Best effort; what they must hear about is the missing channel.
            with contextlib.suppress(PlatformError):
                yield from self.revoke(tokens)
            raise
        return dataclasses.replace(tokens, user_id=channel["id"], account_id=channel["id"])

    def refresh(self, tokens: TokenSet) -> Flow[TokenSet]:
        if tokens.refresh_token is None:
            raise ReauthorizeError(
                "No refresh token is stored for this YouTube connection.", platform="youtube"
            )
        form = {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token.reveal()}
        body = yield self._token_call(form, idempotent=True)  # Google does not rotate refresh tokens
        return self._token_set(body, previous=tokens)

    def revoke(self, tokens: TokenSet) -> Flow[None]:
        # Revoking the refresh token withdraws the whole grant (and its access tokens).
        token = tokens.refresh_token or tokens.access_token
        call = Call(
            platform=Platform.YOUTUBE,
            dialect=Dialect.GOOGLE_OAUTH,
            method="POST",
            url=self._config.url("google_token", "/revoke"),
            form={"token": token.reveal()},
        )
        try:
            yield call
        except (ReauthorizeError, BadRequestError):
            return  # "invalid_token": already expired or revoked, which is what we wanted

    def _token_call(self, form: Mapping[str, str], *, idempotent: bool) -> Call:
        return Call(
            platform=Platform.YOUTUBE,
            dialect=Dialect.GOOGLE_OAUTH,
            method="POST",
            url=self._config.url("google_token", "/token"),
            form={
                "client_id": self._config.client_id,
                "client_secret": self._config.client_secret.reveal(),
                **form,
            },
            idempotent=idempotent,
        )

    def _token_set(self, body: Any, previous: TokenSet | None) -> TokenSet:
        now = self._now()
        refresh = body.get("refresh_token")
        refresh_in = body.get("refresh_token_expires_in")
        scopes = frozenset(str(body.get("scope", "")).split())
        return TokenSet(
            platform=Platform.YOUTUBE,
            access_token=Secret(str(body["access_token"])),
            user_id=previous.user_id if previous else "",
            scopes=scopes or (previous.scopes if previous else frozenset()),
            expires_at=now + timedelta(seconds=int(body.get("expires_in", 3600))),
            refresh_token=Secret(str(refresh)) if refresh else (previous.refresh_token if previous else None),
            refresh_expires_at=(
                now + timedelta(seconds=int(refresh_in))
                if refresh_in is not None
                else (previous.refresh_expires_at if previous else None)
            ),
            account_id=previous.account_id if previous else None,
        )

    # ---- Data API ------------------------------------------------------------------------------

    def _data(self, path: str, tokens: TokenSet, params: Mapping[str, str]) -> Call:
        return Call(
            platform=Platform.YOUTUBE,
            dialect=Dialect.GOOGLE_API,
            method="GET",
            url=self._config.url("youtube_data", path),
            params=params,
            token=tokens.access_token,
        )

    def profile(self, tokens: TokenSet) -> Flow[Profile]:
        body = yield self._data(
            "/youtube/v3/channels", tokens, {"part": "snippet,statistics", "mine": "true"}
        )
        channel = _only_channel(body)
        snippet = channel.get("snippet", {})
        stats = channel.get("statistics", {})
        custom = snippet.get("customUrl")
        thumbnails = snippet.get("thumbnails", {})
        avatar = (thumbnails.get("high") or thumbnails.get("default") or {}).get("url")
        return Profile(
            platform=Platform.YOUTUBE,
            account_id=channel["id"],
            handle=custom.lstrip("@") if custom else None,
            display_name=snippet.get("title"),
            avatar_url=avatar,
            profile_url=f"https://www.youtube.com/{custom}" if custom else None,
            bio=snippet.get("description"),
            followers=None if stats.get("hiddenSubscriberCount") else _int(stats.get("subscriberCount")),
            posts_count=_int(stats.get("videoCount")),
            views_count=_int(stats.get("viewCount")),
        )

    def posts(
        self, tokens: TokenSet, *, since_post_id: str | None = None, max_posts: int = 1000
    ) -> Flow[list[Post]]:
        channels = yield self._data(
            "/youtube/v3/channels", tokens, {"part": "contentDetails", "mine": "true"}
        )
        uploads = _only_channel(channels)["contentDetails"]["relatedPlaylists"]["uploads"]
        ids: list[str] = []
        page_token: str | None = None
        for _ in range(MAX_PAGES):
            params = {"part": "contentDetails", "playlistId": uploads, "maxResults": str(BATCH)}
            if page_token:
                params["pageToken"] = page_token
            body = yield self._data("/youtube/v3/playlistItems", tokens, params)
            reached = False
            for item in body.get("items") or []:
                video_id = item["contentDetails"]["videoId"]
                if video_id == since_post_id or len(ids) >= max_posts:
                    reached = True
                    break
                ids.append(video_id)
            page_token = body.get("nextPageToken")
            if reached or not page_token:
                break
        videos = yield from self._videos(tokens, ids, "snippet,statistics")
        return [_post(videos[i]) for i in ids if i in videos]

    def post_metrics(self, tokens: TokenSet, post_ids: Sequence[str]) -> Flow[dict[str, PostMetrics]]:
        videos = yield from self._videos(tokens, list(dict.fromkeys(post_ids)), "statistics")
        return {video_id: _metrics(video) for video_id, video in videos.items()}

    def _videos(self, tokens: TokenSet, ids: list[str], parts: str) -> Flow[dict[str, Any]]:
        batches = [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]
        if not batches:
            return {}
        calls = tuple(
            self._data("/youtube/v3/videos", tokens, {"part": parts, "id": ",".join(batch)})
            for batch in batches
        )
        bodies = yield Parallel(calls)
        return {video["id"]: video for body in bodies for video in body.get("items") or []}

    # ---- Analytics -----------------------------------------------------------------------------

    def demographics(self, tokens: TokenSet) -> Flow[Demographics]:
        if not tokens.scopes & ANALYTICS_SCOPES:
            return immediate(
                Demographics.not_available(Platform.YOUTUBE, DemographicsUnavailableReason.PERMISSION_MISSING)
            )
        return self._demographics(tokens)

    def _demographics(self, tokens: TokenSet) -> Flow[Demographics]:
        today = self._now().date()
        window = {
            "ids": "channel==MINE",
            "startDate": (today - timedelta(days=DEMOGRAPHICS_WINDOW_DAYS)).isoformat(),
            "endDate": today.isoformat(),
        }
        age_gender, countries = yield Parallel(
            (
                self._report(
                    tokens, window | {"dimensions": "ageGroup,gender", "metrics": "viewerPercentage"}
                ),
                self._report(
                    tokens, window | {"dimensions": "country", "metrics": "views", "sort": "-views"}
                ),
            )
        )
        rows = age_gender.get("rows")
        if not rows:  # rows are omitted below YouTube's privacy threshold
            return Demographics.not_available(Platform.YOUTUBE, DemographicsUnavailableReason.BELOW_THRESHOLD)
        ages: dict[str, float] = {}
        genders: dict[str, float] = {}
        for age, gender, percent in rows:
            key = str(age).removeprefix("age").replace("65-", "65+")
            ages[key] = ages.get(key, 0.0) + float(percent)
            label = GENDERS.get(str(gender), "unspecified")
            genders[label] = genders.get(label, 0.0) + float(percent)
        views = {str(country): float(count) for country, count in countries.get("rows") or []}
        return Demographics(
            platform=Platform.YOUTUBE,
            genders=_shares(genders),
            age_ranges=_shares(ages),
            countries=_shares(views),
        )

    def _report(self, tokens: TokenSet, params: Mapping[str, str]) -> Call:
        return Call(
            platform=Platform.YOUTUBE,
            dialect=Dialect.GOOGLE_API,
            method="GET",
            url=self._config.url("youtube_analytics", "/v2/reports"),
            params=params,
            token=tokens.access_token,
        )


def _shares(values: Mapping[str, float]) -> tuple[Share, ...]:
    total = sum(values.values())
    if total <= 0:
        return ()
    return tuple(Share(key, value / total) for key, value in sorted(values.items(), key=lambda kv: -kv[1]))


def _only_channel(body: Any) -> dict[str, Any]:
    # youtube.md §2.2 [U]: no channel reads as 200 with `items` omitted, or (seen too) an empty list.
    items = body.get("items") or []
    if not items:
        raise AccountMissingError(
            "This Google account has no YouTube channel.", platform="youtube", platform_code="noChannel"
        )
    return dict(items[0])


def _int(value: Any) -> int | None:
    return int(value) if value is not None else None  # uint64 counters arrive as JSON strings


def _metrics(video: Mapping[str, Any]) -> PostMetrics:
    stats = video.get("statistics", {})
    return PostMetrics(
        post_id=str(video["id"]),
        views=_int(stats.get("viewCount")),
        likes=_int(stats.get("likeCount")),
        comments=_int(stats.get("commentCount")),
    )


def _post(video: Mapping[str, Any]) -> Post:
    snippet = video.get("snippet", {})
    published = datetime.fromisoformat(str(snippet["publishedAt"]).replace("Z", "+00:00"))
    return Post(
        platform=Platform.YOUTUBE,
        id=str(video["id"]),
        created_at=published,
        caption_excerpt=Post.excerpt(snippet.get("title")),
        permalink=f"https://www.youtube.com/watch?v={video['id']}",
        media_type=MediaType.VIDEO,
        metrics=_metrics(video) if "statistics" in video else None,
    )
