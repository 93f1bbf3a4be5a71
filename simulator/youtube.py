"""YouTube Data API v3 (channels, playlistItems, videos) and Analytics v2 (platforms/youtube.md §2-3)."""

from __future__ import annotations

import base64
import datetime
import hashlib
from collections.abc import Mapping
from typing import Any

import httpx

from simulator.google import SCOPE_PREFIX, google_error
from simulator.responses import bearer_token, query_params
from simulator.seed import DAY, Account, Post
from simulator.state import SimState, Token

__all__ = ["handle_analytics", "handle_data"]

DATA_SCOPES = tuple(
    SCOPE_PREFIX + s for s in ("youtube.readonly", "youtube", "youtube.force-ssl", "youtubepartner")
)
ANALYTICS_SCOPES = tuple(
    SCOPE_PREFIX + s
    for s in (
        "yt-analytics.readonly",
        "yt-analytics-monetary.readonly",
        "youtube",
        "youtube.readonly",
        "youtubepartner",
    )
)
CHANNEL_PARTS = ("id", "snippet", "contentDetails", "statistics", "status", "brandingSettings")
PLAYLIST_ITEM_PARTS = ("id", "snippet", "contentDetails", "status")
VIDEO_PARTS = ("id", "snippet", "contentDetails", "statistics", "status")
METRICS = (
    "views",
    "estimatedMinutesWatched",
    "averageViewDuration",
    "likes",
    "comments",
    "shares",
    "subscribersGained",
    "subscribersLost",
    "viewerPercentage",
)
DIMENSION_SETS = {
    (),
    ("day",),
    ("month",),
    ("country",),
    ("video",),
    ("ageGroup",),
    ("gender",),
    ("ageGroup", "gender"),
}
AGE_GROUPS = {
    "13-17": "age13-17",
    "18-24": "age18-24",
    "25-34": "age25-34",
    "35-44": "age35-44",
    "45-54": "age45-54",
    "55-64": "age55-64",
    "65+": "age65-",
}
GENDERS = {"F": "female", "M": "male", "U": "user_specified"}
WATCH_FRACTION = 0.45


def _etag(*parts: object) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(repr(parts).encode()).digest()[:18]).decode()


def _authenticate(state: SimState, request: httpx.Request, scopes: tuple[str, ...]) -> Token | httpx.Response:
    token = state.tokens.get(bearer_token(request) or "")
    if (
        token is None
        or token.platform != "google"
        or token.kind != "access"
        or token.revoked_reason is not None
        or token.expired(state.now())
    ):
        return google_error(
            401,
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
            "other "
            "valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
            "authError",
            "global",
            "UNAUTHENTICATED",
            location="Authorization",
            locationType="header",
        )
    if not set(scopes) & set(token.scopes):
        response = google_error(
            403,
            "Request had insufficient authentication scopes.",
            "insufficientPermissions",
            "global",
            "PERMISSION_DENIED",
        )
        body = response.json()
        body["error"]["details"] = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                "domain": "googleapis.com",
            }
        ]
        return httpx.Response(403, json=body)
    return token


def _charge_quota(state: SimState, token: Token) -> httpx.Response | None:
    day = int(state.now() // DAY)
    key = f"{token.client_id}:{day}"
    used = state.quota_used.get(key, 0) + 1
    state.quota_used[key] = used
    if used > state.knobs.youtube_daily_quota:
        message = (
            "The request cannot be completed because you have exceeded your "
            '<a href="/youtube/v3/getting-started#quota">'
            "quota</a>."
        )
        return google_error(403, message, "quotaExceeded", "youtube.quota")
    return None


def _bad_param(message: str, reason: str, location: str) -> httpx.Response:
    return google_error(
        400, message, reason, "youtube.parameter", location=location, locationType="parameter"
    )


def _parts(params: Mapping[str, str], allowed: tuple[str, ...]) -> list[str] | httpx.Response:
    raw = params.get("part")
    if not raw:
        return _bad_param("Required parameter: part", "missingRequiredParameter", "part")
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    unknown = [p for p in parts if p not in allowed]
    if unknown:
        return google_error(
            400, f"'{unknown[0]}'", "unknownPart", "youtube.part", location="part", locationType="parameter"
        )
    return parts


def _max_results(params: Mapping[str, str], default: int, low: int = 0) -> int | httpx.Response:
    raw = params.get("maxResults", str(default))
    if not raw.isdigit() or not low <= int(raw) <= 50:
        return _bad_param(
            f"Invalid value '{raw}'. Values must be within the range: [{low}, 50]",
            "invalidParameter",
            "maxResults",
        )
    return int(raw)


def _page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"PT:{offset}".encode()).decode().rstrip("=")


def _offset(params: Mapping[str, str]) -> int | httpx.Response:
    raw = params.get("pageToken")
    if not raw:
        return 0
    try:
        decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        return int(decoded.removeprefix("PT:"))
    except (ValueError, UnicodeDecodeError):
        return _bad_param("The request specifies an invalid page token.", "invalidPageToken", "pageToken")


def _list(
    kind: str, items: list[dict[str, Any]], total: int, per_page: int, offset: int, end: int
) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": f"youtube#{kind}ListResponse", "etag": _etag(kind, offset, len(items))}
    if end < total:
        body["nextPageToken"] = _page_token(end)
    if offset > 0:
        body["prevPageToken"] = _page_token(max(0, offset - per_page))
    body["pageInfo"] = {"totalResults": total, "resultsPerPage": per_page}
    if items:
        body["items"] = items
    return body


def handle_data(state: SimState, request: httpx.Request, path: str) -> httpx.Response:
    token = _authenticate(state, request, DATA_SCOPES)
    if isinstance(token, httpx.Response):
        return token
    over = _charge_quota(state, token)
    if over is not None:
        return over
    routes = {
        "/youtube/v3/channels": _channels,
        "/youtube/v3/playlistItems": _playlist_items,
        "/youtube/v3/videos": _videos,
    }
    handler = routes.get(path)
    if handler is None or request.method != "GET":
        return google_error(404, "Not Found", "notFound")
    return handler(state, token, query_params(request))


def _channels_of(state: SimState, token: Token) -> list[Account]:
    login = state.world.login("google", token.user_id)
    return state.world.accounts_of(login, "youtube") if login else []


def _thumbnails(url: str) -> dict[str, Any]:
    return {
        "default": {"url": f"{url}/default.jpg", "width": 120, "height": 90},
        "medium": {"url": f"{url}/mqdefault.jpg", "width": 320, "height": 180},
        "high": {"url": f"{url}/hqdefault.jpg", "width": 480, "height": 360},
    }


def _iso(ts: float) -> str:
    return datetime.datetime.fromtimestamp(ts, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _channel(state: SimState, account: Account, parts: list[str]) -> dict[str, Any]:
    now = state.now()
    posts = account.visible_posts(now)
    resource: dict[str, Any] = {"kind": "youtube#channel", "etag": _etag(account.id, now), "id": account.id}
    full = {
        "snippet": {
            "title": account.name,
            "description": account.bio,
            "customUrl": f"@{account.handle}",
            "publishedAt": _iso(account.created_at),
            "thumbnails": _thumbnails(f"https://yt3.sim.example/{account.id}"),
            "country": "US",
        },
        "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": "UU" + account.id[2:]}},
        "statistics": {
            "viewCount": str(sum(p.counters(now).views for p in posts)),
            "subscriberCount": str(_subscribers(state, account.followers(now))),
            "hiddenSubscriberCount": False,
            "videoCount": str(len(posts)),
        },
        "status": {"privacyStatus": "public", "isLinked": True, "longUploadsStatus": "allowed"},
        "brandingSettings": {"channel": {"title": account.name, "description": account.bio}},
    }
    resource.update({p: full[p] for p in parts if p != "id"})
    return resource


def _subscribers(state: SimState, count: int) -> int:
    """youtube.md §2.2 [U]: public subscriber counts are rounded to 3 significant figures."""
    if not state.knobs.youtube_round_subscriber_count or count < 1000:
        return count
    step = int(10 ** (len(str(count)) - 3))
    return count // step * step


def _channels(state: SimState, token: Token, params: Mapping[str, str]) -> httpx.Response:
    parts = _parts(params, CHANNEL_PARTS)
    if isinstance(parts, httpx.Response):
        return parts
    filters = [
        f for f in ("mine", "id", "forUsername", "managedByMe", "mySubscribers", "categoryId") if f in params
    ]
    if len(filters) != 1:
        message = (
            "No filter selected. Expected one of: "
            "mySubscribers, forUsername, id, categoryId, mine, managedByMe"
        )
        if filters:
            message = "Incompatible parameters specified in the request: " + ", ".join(filters)
        return _bad_param(
            message,
            "missingRequiredParameter" if not filters else "incompatibleParameters",
            filters[0] if filters else "",
        )
    limit = _max_results(params, 5)
    if isinstance(limit, httpx.Response):
        return limit
    if filters[0] == "mine":
        channels = _channels_of(state, token) if params["mine"] == "true" else []
    elif filters[0] == "id":
        wanted = params["id"].split(",")
        channels = [a for a in state.world.accounts.values() if a.platform == "youtube" and a.id in wanted]
    elif filters[0] == "forUsername":
        channels = [
            a
            for a in state.world.accounts.values()
            if a.platform == "youtube" and a.handle == params["forUsername"]
        ]
    else:
        channels = []
    items = [_channel(state, c, parts) for c in channels]
    body = _list("channel", items, len(items), limit, 0, len(items))
    if not items and state.knobs.youtube_no_channel_items == "empty_list":
        body["items"] = []  # youtube.md §2.2 [U]: no channel = `items` omitted, or an empty list
    return httpx.Response(200, json=body)


def _uploads(state: SimState, playlist_id: str) -> Account | None:
    if not playlist_id.startswith("UU"):
        return None
    account = state.world.accounts.get("UC" + playlist_id[2:])
    return account if account is not None and account.platform == "youtube" else None


def _playlist_items(state: SimState, _token: Token, params: Mapping[str, str]) -> httpx.Response:
    parts = _parts(params, PLAYLIST_ITEM_PARTS)
    if isinstance(parts, httpx.Response):
        return parts
    if "playlistId" not in params and "id" not in params:
        return _bad_param(
            "No filter selected. Expected one of: id, playlistId", "missingRequiredParameter", ""
        )
    limit = _max_results(params, 5)
    if isinstance(limit, httpx.Response):
        return limit
    offset = _offset(params)
    if isinstance(offset, httpx.Response):
        return offset
    account = _uploads(state, params.get("playlistId", ""))
    if account is None:
        message = (
            "The playlist identified with the request's <code>playlistId</code> parameter cannot be found."
        )
        return google_error(
            404,
            message,
            "playlistNotFound",
            "youtube.playlistItem",
            location="playlistId",
            locationType="parameter",
        )
    posts = account.visible_posts(state.now())
    if "videoId" in params:
        posts = [p for p in posts if p.id == params["videoId"]]
    page = posts[offset : offset + limit]
    items = [_playlist_item(account, post, offset + i, parts) for i, post in enumerate(page)]
    return httpx.Response(
        200, json=_list("playlistItem", items, len(posts), limit, offset, offset + len(page))
    )


def _playlist_item(account: Account, post: Post, position: int, parts: list[str]) -> dict[str, Any]:
    item_id = base64.urlsafe_b64encode(f"UU{account.id[2:]}.{post.id}".encode()).decode().rstrip("=")
    full = {
        "snippet": {
            "publishedAt": _iso(post.created_at + 60),
            "channelId": account.id,
            "title": post.title,
            "description": f"{post.title} — simulated upload",
            "thumbnails": _thumbnails(f"https://i.ytimg.sim.example/vi/{post.id}"),
            "channelTitle": account.name,
            "playlistId": "UU" + account.id[2:],
            "position": position,
            "resourceId": {"kind": "youtube#video", "videoId": post.id},
            "videoOwnerChannelTitle": account.name,
            "videoOwnerChannelId": account.id,
        },
        "contentDetails": {"videoId": post.id, "videoPublishedAt": _iso(post.created_at)},
        "status": {"privacyStatus": "public"},
    }
    resource: dict[str, Any] = {
        "kind": "youtube#playlistItem",
        "etag": _etag(item_id, position),
        "id": item_id,
    }
    resource.update({p: full[p] for p in parts if p != "id"})
    return resource


def _duration(seconds: int) -> str:
    minutes, secs = divmod(seconds, 60)
    return f"PT{minutes}M{secs}S" if minutes else f"PT{secs}S"


def _videos(state: SimState, _token: Token, params: Mapping[str, str]) -> httpx.Response:
    parts = _parts(params, VIDEO_PARTS)
    if isinstance(parts, httpx.Response):
        return parts
    if "id" not in params:
        return _bad_param(
            "No filter selected. Expected one of: chart, id, myRating", "missingRequiredParameter", ""
        )
    ids = [i for i in params["id"].split(",") if i]
    if len(ids) > state.knobs.youtube_max_video_ids:
        return _bad_param("The request specifies too many video IDs.", "invalidParameter", "id")
    now = state.now()
    items = []
    for video_id in ids:
        post = state.world.posts.get(video_id)
        account = state.world.accounts.get(post.account_id) if post else None
        if post is None or account is None or account.platform != "youtube" or not post.visible(now):
            continue
        c = post.counters(now)
        full = {
            "snippet": {
                "publishedAt": _iso(post.created_at),
                "channelId": account.id,
                "title": post.title,
                "description": f"{post.title} — simulated upload",
                "thumbnails": _thumbnails(f"https://i.ytimg.sim.example/vi/{post.id}"),
                "channelTitle": account.name,
                "categoryId": "26",
                "liveBroadcastContent": "none",
            },
            "contentDetails": {
                "duration": _duration(post.duration),
                "dimension": "2d",
                "definition": "hd",
                "caption": "false",
                "licensedContent": False,
                "projection": "rectangular",
            },
            "statistics": {
                "viewCount": str(c.views),
                "likeCount": str(c.likes),
                "favoriteCount": "0",
                "commentCount": str(c.comments),
            },
            "status": {"uploadStatus": "processed", "privacyStatus": "public", "embeddable": True},
        }
        resource: dict[str, Any] = {"kind": "youtube#video", "etag": _etag(post.id, now), "id": post.id}
        resource.update({p: full[p] for p in parts if p != "id"})
        items.append(resource)
    return httpx.Response(200, json=_list("video", items, len(items), len(items), 0, len(items)))


# ---- Analytics ---------------------------------------------------------------------------------


def _analytics_error(message: str, status: int = 400, reason: str = "badRequest") -> httpx.Response:
    return google_error(
        status, message, reason, "global", "INVALID_ARGUMENT" if status == 400 else "PERMISSION_DENIED"
    )


def _date(raw: str | None) -> float | None:
    try:
        return datetime.datetime.strptime(raw or "", "%Y-%m-%d").replace(tzinfo=datetime.UTC).timestamp()
    except ValueError:
        return None


def handle_analytics(state: SimState, request: httpx.Request, path: str) -> httpx.Response:
    token = _authenticate(state, request, ANALYTICS_SCOPES)
    if isinstance(token, httpx.Response):
        return token
    if path.rstrip("/") != "/v2/reports" or request.method != "GET":
        return google_error(404, "Not Found", "notFound")
    params = query_params(request)
    for name in ("ids", "startDate", "endDate", "metrics"):
        if not params.get(name):
            return google_error(
                400,
                f"Required {name}",
                "required",
                "global",
                "INVALID_ARGUMENT",
                location=name,
                locationType="parameter",
            )
    channels = _channels_of(state, token)
    ids = params["ids"]
    channel = next((c for c in channels if ids in ("channel==MINE", f"channel=={c.id}")), None)
    if channel is None:
        return _analytics_error("Forbidden", 403, "forbidden")
    start, end = _date(params["startDate"]), _date(params["endDate"])
    if start is None or end is None or start > end:
        return _analytics_error("Invalid date range: startDate must be on or before endDate (YYYY-MM-DD).")
    metrics = [m.strip() for m in params["metrics"].split(",")]
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        return _analytics_error(f"Unknown identifier ({unknown[0]}) given in field parameters.metrics.")
    dims = tuple(d.strip() for d in params.get("dimensions", "").split(",") if d.strip())
    demographic = bool(set(dims) & {"ageGroup", "gender"})
    if (
        dims not in DIMENSION_SETS
        or demographic != ("viewerPercentage" in metrics)
        or (demographic and metrics != ["viewerPercentage"])
    ):
        return _analytics_error("The query is not supported.")
    now = state.now()
    last_day = (now // DAY - state.knobs.youtube_analytics_lag_days) * DAY
    end = min(end, last_day)
    rows = _rows(state, channel, dims, metrics, start, end + DAY) if start <= end else []
    paged = _sort_and_page(rows, dims, metrics, params)
    if isinstance(paged, httpx.Response):
        return paged
    headers = [{"name": d, "columnType": "DIMENSION", "dataType": "STRING"} for d in dims] + [
        {"name": m, "columnType": "METRIC", "dataType": "FLOAT" if m == "viewerPercentage" else "INTEGER"}
        for m in metrics
    ]
    body: dict[str, Any] = {"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers}
    if paged:
        body["rows"] = paged
    return httpx.Response(200, json=body)


def _window(channel: Account, metrics: list[str], start: float, end: float, share: float = 1.0) -> list[Any]:
    a = channel.activity(start, end)
    durations = [p.duration for p in channel.posts] or [0]
    avg = sum(durations) / len(durations) * WATCH_FRACTION
    gained = max(0, channel.followers(end) - channel.followers(start))
    values = {
        "views": a.views,
        "estimatedMinutesWatched": int(a.views * avg / 60),
        "averageViewDuration": int(avg) if a.views else 0,
        "likes": a.likes,
        "comments": a.comments,
        "shares": a.shares,
        "subscribersGained": gained + gained // 15,
        "subscribersLost": gained // 15,
    }
    return [int(values[m] * share) if m != "averageViewDuration" else values[m] for m in metrics]


def _rows(
    state: SimState, channel: Account, dims: tuple[str, ...], metrics: list[str], start: float, end: float
) -> list[list[Any]]:
    if not dims:
        return [_window(channel, metrics, start, end)]
    if dims == ("day",):
        days = [start + i * DAY for i in range(int((end - start) // DAY))]
        return [[_day(d), *_window(channel, metrics, d, d + DAY)] for d in days]
    if dims == ("month",):
        months: dict[str, tuple[float, float]] = {}
        for i in range(int((end - start) // DAY)):
            d = start + i * DAY
            first, _ = months.get(_day(d)[:7], (d, d))
            months[_day(d)[:7]] = (first, d + DAY)
        return [[month, *_window(channel, metrics, a, b)] for month, (a, b) in months.items()]
    if dims == ("country",):
        return [
            [code, *_window(channel, metrics, start, end, share)]
            for code, share in channel.audience.countries
        ]
    if dims == ("video",):
        rows = []
        for post in channel.posts:
            if post.created_at >= end:
                continue
            before, after = post.counters(start), post.counters(end)
            values = {
                "views": after.views - before.views,
                "likes": after.likes - before.likes,
                "comments": after.comments - before.comments,
                "shares": after.shares - before.shares,
            }
            minutes = int(values["views"] * post.duration * WATCH_FRACTION / 60)
            values |= {
                "estimatedMinutesWatched": minutes,
                "averageViewDuration": int(post.duration * WATCH_FRACTION),
                "subscribersGained": 0,
                "subscribersLost": 0,
            }
            rows.append([post.id, *[values[m] for m in metrics]])
        return rows
    if channel.followers(end) < 100:
        return []
    genders = [
        (GENDERS[g], s)
        for g, s in channel.audience.genders
        if g != "U" or state.knobs.google_gender_user_specified
    ]
    ages = [(AGE_GROUPS[a], s) for a, s in channel.audience.ages]
    total = sum(s for _, s in genders)
    combos: list[tuple[list[str], float]] = [([], 1.0)]
    for dim in dims:
        buckets = ages if dim == "ageGroup" else [(g, s / total) for g, s in genders]
        combos = [([*vals, name], share * s) for vals, share in combos for name, s in buckets]
    return [[*vals, round(share * 100, 1)] for vals, share in sorted(combos, key=lambda c: c[0])]


def _day(ts: float) -> str:
    return datetime.datetime.fromtimestamp(ts, datetime.UTC).strftime("%Y-%m-%d")


def _sort_and_page(
    rows: list[list[Any]], dims: tuple[str, ...], metrics: list[str], params: Mapping[str, str]
) -> list[list[Any]] | httpx.Response:
    columns = [*dims, *metrics]
    for key in reversed([k.strip() for k in params.get("sort", "").split(",") if k.strip()]):
        name = key.lstrip("-")
        if name not in columns:
            return _analytics_error(f"The sort parameter value {key} is not valid.")
        index = columns.index(name)
        rows = sorted(rows, key=lambda r: r[index], reverse=key.startswith("-"))
    start_index = int(params.get("startIndex", "1") or 1)
    rows = rows[max(0, start_index - 1) :]
    if params.get("maxResults", "").isdigit():
        rows = rows[: int(params["maxResults"])]
    return rows
