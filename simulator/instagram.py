"""Instagram professional accounts via graph.facebook.com: IG user, media, insights (platforms/meta.md §2)."""

from __future__ import annotations

from typing import Any

import httpx

from simulator.graph import graph_error, iso_time, paginate, parse_time, select_fields, unknown_node
from simulator.responses import json_response, query_params
from simulator.seed import DAY, Account, Post
from simulator.state import SimState, Token

__all__ = ["handle_node"]

FEED_METRICS = (
    "views",
    "reach",
    "likes",
    "comments",
    "saved",
    "shares",
    "total_interactions",
    "reposts",
    "follows",
    "profile_visits",
    "profile_activity",
)
REELS_METRICS = (
    "views",
    "reach",
    "likes",
    "comments",
    "saved",
    "shares",
    "total_interactions",
    "reposts",
    "ig_reels_avg_watch_time",
    "ig_reels_video_view_total_time",
    "reels_skip_rate",
)
DEPRECATED_MEDIA = (
    "impressions",
    "plays",
    "clips_replays_count",
    "ig_reels_aggregated_all_plays_count",
    "video_views",
)
ACCOUNT_METRICS = (
    "reach",
    "views",
    "accounts_engaged",
    "total_interactions",
    "likes",
    "comments",
    "saves",
    "shares",
    "replies",
    "reposts",
    "follows_and_unfollows",
    "profile_links_taps",
    "follower_count",
)
DEMOGRAPHIC_METRICS = (
    "follower_demographics",
    "engaged_audience_demographics",
    "reached_audience_demographics",
)
BREAKDOWNS = ("age", "city", "country", "gender")
TIMEFRAMES = {"this_week": 7 * DAY, "this_month": 30 * DAY}


def handle_node(
    state: SimState, request: httpx.Request, token: Token, account: Account, post: Post | None, edge: str
) -> httpx.Response:
    if request.method != "GET":
        return unknown_node(post.id if post else account.id)
    if "instagram_basic" not in token.scopes:
        return graph_error(400, "(#10) Application does not have permission for this action", 10)
    if post is not None:
        if not post.visible(state.now()):
            return unknown_node(post.id)
        if edge == "":
            return _media_node(state, request, account, post)
        if edge == "insights":
            return _media_insights(state, request, token, post)
        return unknown_node(post.id)
    if edge == "":
        return _user_node(state, request, account)
    if edge == "media":
        return _media_list(state, request, account)
    if edge == "insights":
        return _account_insights(state, request, token, account)
    return unknown_node(account.id)


def _user_node(state: SimState, request: httpx.Request, account: Account) -> httpx.Response:
    now = state.now()
    values = {
        "id": account.id,
        "ig_id": int(account.id[-10:]),
        "username": account.handle,
        "name": account.name,
        "biography": account.bio,
        "website": f"https://example.test/{account.handle}",
        "profile_picture_url": f"https://scontent.sim.example/{account.id}.jpg",
        "followers_count": account.followers(now),
        "follows_count": account.following,
        "media_count": len(account.visible_posts(now)),
    }
    body = select_fields(values, request.url.params.get("fields"), ("id",), "IGUser")
    return body if isinstance(body, httpx.Response) else json_response(200, body)


def _product_type(post: Post) -> str:
    return "REELS" if post.kind == "VIDEO" else "FEED"


def _media_values(state: SimState, account: Account, post: Post) -> dict[str, Any]:
    c = post.counters(state.now())
    shortcode = f"C{post.id[-10:]}"
    is_video = post.kind == "VIDEO"
    return {
        "id": post.id,
        "caption": post.title,
        "media_type": post.kind,
        "media_product_type": _product_type(post),
        "permalink": f"https://www.instagram.com/{'reel' if is_video else 'p'}/{shortcode}/",
        "shortcode": shortcode,
        "timestamp": iso_time(post.created_at),
        "username": account.handle,
        "owner": {"id": account.id},
        "like_count": c.likes,
        "comments_count": c.comments,
        "media_url": f"https://scontent.sim.example/{post.id}.{'mp4' if is_video else 'jpg'}",
        "thumbnail_url": f"https://scontent.sim.example/{post.id}_thumb.jpg" if is_video else None,
        "is_shared_to_feed": True if is_video else None,
        "total_like_count": c.likes,
        "total_comments_count": c.comments,
        "total_views_count": c.views,
        "shares_count": c.shares,
        "saved_count": c.saves,
        "reposts_count": c.shares // 10,
    }


def _media_node(state: SimState, request: httpx.Request, account: Account, post: Post) -> httpx.Response:
    body = select_fields(
        _media_values(state, account, post), request.url.params.get("fields"), ("id",), "IGMedia"
    )
    return body if isinstance(body, httpx.Response) else json_response(200, body)


def _media_list(state: SimState, request: httpx.Request, account: Account) -> httpx.Response:
    params = query_params(request)
    since, until = parse_time(params.get("since")), parse_time(params.get("until"))
    items = []
    for post in account.visible_posts(state.now()):
        if (since is not None and post.created_at < since) or (until is not None and post.created_at > until):
            continue
        selected = select_fields(
            _media_values(state, account, post), params.get("fields"), ("id",), "IGMedia"
        )
        if isinstance(selected, httpx.Response):
            return selected
        items.append(selected | {"id": post.id})
    body = paginate(state, request, items)
    return body if isinstance(body, httpx.Response) else json_response(200, body)


def _metric_list(raw: str | None) -> list[str]:
    return [m.strip() for m in (raw or "").split(",") if m.strip()]


def _insight(owner_id: str, name: str, period: str, **shape: Any) -> dict[str, Any]:
    return {
        "name": name,
        "period": period,
        **shape,
        "title": name.replace("_", " ").capitalize(),
        "description": f"Simulated {name}",
        "id": f"{owner_id}/insights/{name}/{period}",
    }


def _media_insights(state: SimState, request: httpx.Request, token: Token, post: Post) -> httpx.Response:
    if "instagram_manage_insights" not in token.scopes:
        return graph_error(400, "(#10) Application does not have permission for this action", 10)
    metrics = _metric_list(request.url.params.get("metric"))
    if not metrics:
        return graph_error(400, "(#100) The parameter metric is required", 100)
    product = _product_type(post)
    valid = REELS_METRICS if product == "REELS" else FEED_METRICS
    for index, metric in enumerate(metrics):
        if metric in DEPRECATED_MEDIA:
            message = (
                f"(#100) Starting from version v22.0 and above, the {metric} metric is no longer supported "
                "for the queried media"
            )
            return graph_error(400, message, 100)
        if metric not in FEED_METRICS + REELS_METRICS:
            allowed = ", ".join(dict.fromkeys(FEED_METRICS + REELS_METRICS))
            return graph_error(
                400, f"(#100) metric[{index}] must be one of the following values: {allowed}", 100
            )
        if metric not in valid:
            message = (
                f"(#100) The Media Insights API does not support the {metric} metric "
                "for this media product type"
            )
            return graph_error(400, message, 100)
    c = post.counters(state.now())
    values: dict[str, float] = {
        "views": c.views,
        "reach": c.reach,
        "likes": c.likes,
        "comments": c.comments,
        "saved": c.saves,
        "shares": c.shares,
        "total_interactions": c.likes + c.comments + c.saves + c.shares,
        "reposts": c.shares // 10,
        "follows": c.likes // 40,
        "profile_visits": c.views // 30,
        "profile_activity": c.views // 60,
        "ig_reels_avg_watch_time": post.duration * 450,
        "ig_reels_video_view_total_time": c.views * post.duration * 450,
        "reels_skip_rate": 31.4,
    }
    data = [_insight(post.id, m, "lifetime", values=[{"value": values[m]}]) for m in metrics]
    return json_response(200, {"data": data})


def _account_insights(
    state: SimState, request: httpx.Request, token: Token, account: Account
) -> httpx.Response:
    if "instagram_manage_insights" not in token.scopes:
        return graph_error(400, "(#10) Application does not have permission for this action", 10)
    params = query_params(request)
    metrics = _metric_list(params.get("metric"))
    if not metrics:
        return graph_error(400, "(#100) The parameter metric is required", 100)
    period = params.get("period")
    if period is None:
        return graph_error(400, "(#100) The parameter period is required", 100)
    known = ACCOUNT_METRICS if state.knobs.ig_follower_count_metric else ACCOUNT_METRICS[:-1]
    for index, metric in enumerate(metrics):
        if metric not in known + DEMOGRAPHIC_METRICS:
            allowed = ", ".join(known + DEMOGRAPHIC_METRICS)
            return graph_error(
                400, f"(#100) metric[{index}] must be one of the following values: {allowed}", 100
            )
    data = []
    for metric in metrics:
        if metric in DEMOGRAPHIC_METRICS:
            item = _demographics(state, params, account, metric)
        else:
            item = _interactions(state, params, account, metric, period)
        if isinstance(item, httpx.Response):
            return item
        data.extend(item)
    return json_response(200, {"data": data})


def _interactions(
    state: SimState, params: dict[str, str], account: Account, metric: str, period: str
) -> list[dict[str, Any]] | httpx.Response:
    if period != "day":
        return graph_error(
            400, f"(#100) Incompatible period ({period}) for metric {metric}; use period=day", 100
        )
    now = state.now()
    until = parse_time(params.get("until")) or now
    since = parse_time(params.get("since")) or until - DAY
    metric_type = params.get("metric_type", "time_series" if metric == "follower_count" else "total_value")
    if metric_type == "time_series":
        if metric not in ("reach", "follower_count"):
            return graph_error(400, f"(#100) metric_type=time_series is not supported for {metric}", 100)
        if metric == "follower_count" and account.followers(now) < 100:
            return []
        ends = [since + DAY * (i + 1) for i in range(max(1, int((until - since) // DAY)))]
        values = [{"value": _value(account, metric, e - DAY, e), "end_time": iso_time(e)} for e in ends]
        return [_insight(account.id, metric, "day", values=values)]
    total: dict[str, Any] = {"value": _value(account, metric, since, until)}
    if params.get("breakdown") == "media_product_type":
        results = [
            {"dimension_values": [label], "value": _value(account, metric, since, until, kinds)}
            for label, kinds in (("POST", ("IMAGE", "CAROUSEL_ALBUM")), ("REEL", ("VIDEO",)))
        ]
        total["breakdowns"] = [{"dimension_keys": ["media_product_type"], "results": results}]
    return [_insight(account.id, metric, "day", total_value=total)]


def _value(
    account: Account, metric: str, start: float, end: float, kinds: tuple[str, ...] | None = None
) -> int:
    a = account.activity(start, end, kinds)
    follows = max(0, account.followers(end) - account.followers(start))
    interactions = a.likes + a.comments + a.saves + a.shares
    values = {
        "reach": a.reach,
        "views": a.views,
        "accounts_engaged": int(interactions * 0.6),
        "total_interactions": interactions,
        "likes": a.likes,
        "comments": a.comments,
        "saves": a.saves,
        "shares": a.shares,
        "replies": a.comments // 10,
        "reposts": a.shares // 10,
        "follows_and_unfollows": follows,
        "profile_links_taps": a.views // 200,
        "follower_count": follows,
    }
    return values[metric]


def _demographics(
    state: SimState, params: dict[str, str], account: Account, metric: str
) -> list[dict[str, Any]] | httpx.Response:
    if params.get("period") != "lifetime":
        return graph_error(
            400,
            f"(#100) Incompatible period ({params.get('period')}) for metric {metric}; use period=lifetime",
            100,
        )
    if params.get("metric_type") != "total_value":
        return graph_error(
            400,
            f"(#100) The following metrics ({metric}) should be specified with parameter "
            "metric_type=total_value",
            100,
        )
    timeframe = params.get("timeframe")
    if timeframe not in TIMEFRAMES:
        return graph_error(400, "(#100) Param timeframe must be one of {this_month, this_week}", 100)
    keys = [k.strip() for k in params.get("breakdown", "").split(",") if k.strip()]
    if not keys or any(k not in BREAKDOWNS for k in keys) or len(keys) > 2:
        return graph_error(400, f"(#100) {metric} requires one breakdown of: age, city, country, gender", 100)
    now = state.now()
    window = account.activity(now - TIMEFRAMES[timeframe], now)
    engagements = window.likes + window.comments + window.saves + window.shares
    # meta.md §2.5 [U]: the newest doc copy withholds engaged-audience demographics below 100
    # engagements in the timeframe, an older copy below 100 followers (as for the other two metrics).
    by_engagements = (
        metric == "engaged_audience_demographics"
        and state.knobs.ig_engaged_demographics_threshold == "engagements"
    )
    if (engagements if by_engagements else account.followers(now)) < 100:
        if state.knobs.ig_demographics_below_threshold == "error":
            basis = "engagements in this timeframe" if by_engagements else "followers"
            message = f"(#100) Insufficient data: {metric} is not available with fewer than 100 {basis}"
            return graph_error(400, message, 100)
        return []
    base = {
        "follower_demographics": int(account.followers(now) * 0.9),
        "engaged_audience_demographics": engagements,
        "reached_audience_demographics": window.reach,
    }[metric]
    ages = account.audience.ages
    if not state.knobs.ig_demographics_age_13_17:
        ages = tuple((name, share) for name, share in ages if name != "13-17")  # meta.md §2.5 [U]
    buckets = {
        "age": ages,
        "gender": account.audience.genders,
        "country": account.audience.countries,
        "city": account.audience.cities,
    }
    combos: list[tuple[list[str], float]] = [([], 1.0)]
    for key in keys:
        combos = [([*vals, name], share * s) for vals, share in combos for name, s in buckets[key]]
    with_timeframe = state.knobs.ig_demographics_dimension_keys == "timeframe_and_breakdown"
    prefix = [timeframe.upper()] if with_timeframe else []
    results = [
        {"dimension_values": prefix + vals, "value": int(base * share)}
        for vals, share in combos
        if int(base * share) > 0
    ]
    results = sorted(results, key=lambda r: -float(str(r["value"])))[:45]
    dimension_keys = (["timeframe"] if with_timeframe else []) + keys
    total = {"breakdowns": [{"dimension_keys": dimension_keys, "results": results}]}
    return [_insight(account.id, metric, "lifetime", total_value=total)]
