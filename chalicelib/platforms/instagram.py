"""Instagram professional accounts via Facebook Login and graph.facebook.com (platforms/meta.md §2).

Calls use the linked Page's token (see :mod:`chalicelib.platforms.meta_graph`). Demographics are
``follower_demographics`` (age, gender, country; ``timeframe=this_month``); Meta withholds them below
100 followers, answering either an empty list or a code-100 error (both read as "below threshold").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chalicelib.domain.platforms import (
    Demographics,
    DemographicsUnavailableReason,
    FacebookPage,
    MediaType,
    Platform,
    Post,
    PostMetrics,
    Profile,
    TokenSet,
)
from chalicelib.platforms.base import BadRequestError, Flow, Parallel, immediate
from chalicelib.platforms.media_errors import readable
from chalicelib.platforms.meta_graph import (
    PAGE_LIMIT,
    FacebookLoginProvider,
    breakdown_shares,
    collect,
    graph_time,
    insight_values,
)

__all__ = ["InstagramProvider"]

MEDIA_FIELDS = "id,caption,media_type,media_product_type,permalink,timestamp,like_count,comments_count"
MEDIA_METRICS = "views,reach,likes,comments,shares,saved"
MEDIA_TYPES = {"IMAGE": MediaType.IMAGE, "VIDEO": MediaType.VIDEO, "CAROUSEL_ALBUM": MediaType.CAROUSEL}
BREAKDOWNS = ("age", "gender", "country")
DEMOGRAPHICS_THRESHOLD = 100


class InstagramProvider(FacebookLoginProvider):
    platform_id = Platform.INSTAGRAM

    def _account_of(self, page: FacebookPage) -> str | None:
        return page.instagram_account_id

    def profile(self, tokens: TokenSet) -> Flow[Profile]:
        ig_id = self.account_id(tokens)
        body = yield self.graph(
            ig_id,
            tokens.access_token,
            {
                "fields": "id,username,name,biography,profile_picture_url,followers_count,"
                "follows_count,media_count"
            },
            usage_key=ig_id,
        )
        username = body.get("username")
        return Profile(
            platform=Platform.INSTAGRAM,
            account_id=str(body["id"]),
            handle=username,
            display_name=body.get("name"),
            avatar_url=body.get("profile_picture_url"),
            profile_url=f"https://www.instagram.com/{username}/" if username else None,
            bio=body.get("biography"),
            followers=body.get("followers_count"),
            following=body.get("follows_count"),
            posts_count=body.get("media_count"),
        )

    def posts(
        self, tokens: TokenSet, *, since_post_id: str | None = None, max_posts: int = 1000
    ) -> Flow[list[Post]]:
        ig_id = self.account_id(tokens)
        call = self.graph(
            f"{ig_id}/media",
            tokens.access_token,
            {"fields": MEDIA_FIELDS, "limit": PAGE_LIMIT},
            usage_key=ig_id,
        )
        items = yield from collect(call, stop_at=since_post_id, max_items=max_posts)
        return [_post(item) for item in items]

    def post_metrics(self, tokens: TokenSet, post_ids: Sequence[str]) -> Flow[dict[str, PostMetrics]]:
        ig_id = self.account_id(tokens)
        ids = list(dict.fromkeys(post_ids))
        if not ids:
            return {}
        calls = tuple(
            self.graph(
                f"{media_id}/insights", tokens.access_token, {"metric": MEDIA_METRICS}, usage_key=ig_id
            )
            for media_id in ids
        )
        replies = yield Parallel(calls, return_errors=True)
        out: dict[str, PostMetrics] = {}
        for media_id, reply in zip(ids, replies, strict=True):
            if not readable(reply):
                continue  # gone since it was listed, or never measured: left out, as the Protocol says
            out[media_id] = _metrics(media_id, insight_values(reply))
        return out

    def demographics(self, tokens: TokenSet) -> Flow[Demographics]:
        if "instagram_manage_insights" not in tokens.scopes:
            return immediate(
                Demographics.not_available(
                    Platform.INSTAGRAM, DemographicsUnavailableReason.PERMISSION_MISSING
                )
            )
        return self._demographics(tokens)

    def _demographics(self, tokens: TokenSet) -> Flow[Demographics]:
        ig_id = self.account_id(tokens)
        calls = tuple(
            self.graph(
                f"{ig_id}/insights",
                tokens.access_token,
                {
                    "metric": "follower_demographics",
                    "period": "lifetime",
                    "metric_type": "total_value",
                    "timeframe": "this_month",
                    "breakdown": breakdown,
                },
                usage_key=ig_id,
            )
            for breakdown in BREAKDOWNS
        )
        try:
            replies = yield Parallel(calls)
        except BadRequestError:
            # Below the threshold some API versions answer code 100 instead of empty data; tell the two
            # apart by the follower count rather than by the error's wording.
            profile = yield from self.profile(tokens)
            if profile.followers is not None and profile.followers < DEMOGRAPHICS_THRESHOLD:
                return _below_threshold()
            raise
        ages, genders, countries = (breakdown_shares(r, b) for r, b in zip(replies, BREAKDOWNS, strict=True))
        if ages is None and genders is None and countries is None:
            return _below_threshold()
        return Demographics(
            platform=Platform.INSTAGRAM,
            genders=genders or (),
            age_ranges=ages or (),
            countries=countries or (),
        )


def _below_threshold() -> Demographics:
    return Demographics.not_available(Platform.INSTAGRAM, DemographicsUnavailableReason.BELOW_THRESHOLD)


def _metrics(media_id: str, values: Mapping[str, Any]) -> PostMetrics:
    return PostMetrics(
        post_id=media_id,
        views=values.get("views"),
        reach=values.get("reach"),
        likes=values.get("likes"),
        comments=values.get("comments"),
        shares=values.get("shares"),
        saves=values.get("saved"),
    )


def _post(item: Mapping[str, Any]) -> Post:
    return Post(
        platform=Platform.INSTAGRAM,
        id=str(item["id"]),
        created_at=graph_time(str(item["timestamp"])),
        caption_excerpt=Post.excerpt(item.get("caption")),
        permalink=item.get("permalink"),
        media_type=MEDIA_TYPES.get(str(item.get("media_type")), MediaType.OTHER),
        metrics=PostMetrics(
            post_id=str(item["id"]), likes=item.get("like_count"), comments=item.get("comments_count")
        ),
    )
