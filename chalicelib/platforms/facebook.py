"""Facebook Pages through the Graph API with a Page token (platforms/meta.md §1, §4).

Demographics: Meta retired the Page gender/age metrics (2024) and the fan/locale ones (2025); only
``page_follows_country``/``city`` remain, so ``demographics`` reports "not offered".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chalicelib.domain.platforms import (
    Demographics,
    DemographicsUnavailableReason,
    MediaType,
    Platform,
    Post,
    PostMetrics,
    Profile,
    TokenSet,
)
from chalicelib.platforms.base import Flow, Parallel, immediate
from chalicelib.platforms.media_errors import readable
from chalicelib.platforms.meta_graph import (
    PAGE_LIMIT,
    FacebookLoginProvider,
    collect,
    graph_time,
    insight_values,
)

__all__ = ["FacebookProvider"]

POST_FIELDS = "id,message,created_time,permalink_url,status_type"
POST_METRICS = "post_media_view,post_total_media_view_unique,post_reactions_by_type_total"
MEDIA_TYPES = {"added_photos": MediaType.IMAGE, "added_video": MediaType.VIDEO}


class FacebookProvider(FacebookLoginProvider):
    platform_id = Platform.FACEBOOK

    def profile(self, tokens: TokenSet) -> Flow[Profile]:
        page_id = self.account_id(tokens)
        body = yield self.graph(
            page_id,
            tokens.access_token,
            {"fields": "id,name,username,link,about,followers_count,fan_count"},
            usage_key=page_id,
        )
        return Profile(
            platform=Platform.FACEBOOK,
            account_id=str(body["id"]),
            handle=body.get("username"),
            display_name=body.get("name"),
            profile_url=body.get("link"),
            bio=body.get("about"),
            followers=body.get("followers_count"),
        )

    def posts(
        self, tokens: TokenSet, *, since_post_id: str | None = None, max_posts: int = 1000
    ) -> Flow[list[Post]]:
        page_id = self.account_id(tokens)
        call = self.graph(
            f"{page_id}/published_posts",
            tokens.access_token,
            {"fields": POST_FIELDS, "limit": PAGE_LIMIT},
            usage_key=page_id,
        )
        items = yield from collect(call, stop_at=since_post_id, max_items=max_posts)
        return [_post(item) for item in items]

    def post_metrics(self, tokens: TokenSet, post_ids: Sequence[str]) -> Flow[dict[str, PostMetrics]]:
        page_id = self.account_id(tokens)
        ids = list(dict.fromkeys(post_ids))
        calls = []
        for post_id in ids:
            calls.append(
                self.graph(
                    f"{post_id}/insights", tokens.access_token, {"metric": POST_METRICS}, usage_key=page_id
                )
            )
            calls.append(self.graph(post_id, tokens.access_token, {"fields": "shares"}, usage_key=page_id))
        if not calls:
            return {}
        replies = yield Parallel(tuple(calls), return_errors=True)
        out: dict[str, PostMetrics] = {}
        for index, post_id in enumerate(ids):
            insights, node = replies[2 * index], replies[2 * index + 1]
            if not readable(insights, node):
                continue  # gone since it was listed, or never measured: left out, as the Protocol says
            out[post_id] = _metrics(post_id, insight_values(insights), node)
        return out

    def demographics(self, tokens: TokenSet) -> Flow[Demographics]:  # noqa: ARG002 - the Protocol's shape
        return immediate(
            Demographics.not_available(Platform.FACEBOOK, DemographicsUnavailableReason.NOT_OFFERED)
        )


def _metrics(post_id: str, values: Mapping[str, Any], node: Mapping[str, Any]) -> PostMetrics:
    reactions = values.get("post_reactions_by_type_total")
    return PostMetrics(
        post_id=post_id,
        views=values.get("post_media_view"),
        reach=values.get("post_total_media_view_unique"),
        likes=sum(int(v) for v in reactions.values()) if isinstance(reactions, dict) else None,
        shares=(node.get("shares") or {}).get("count", 0),
    )


def _post(item: Mapping[str, Any]) -> Post:
    return Post(
        platform=Platform.FACEBOOK,
        id=str(item["id"]),
        created_at=graph_time(str(item["created_time"])),
        caption_excerpt=Post.excerpt(item.get("message")),
        permalink=item.get("permalink_url"),
        media_type=MEDIA_TYPES.get(str(item.get("status_type")), MediaType.TEXT),
    )
