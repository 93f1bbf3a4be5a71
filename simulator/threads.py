"""Threads: OAuth consent, token exchange/refresh, profile, threads and insights (platforms/meta.md §5)."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

import httpx

from simulator.consent import AuthorizeSpec, Grant, error_page, run_authorize
from simulator.facebook import debug_data
from simulator.graph import (
    REDIRECT_MISMATCH,
    TOKEN_ALPHABET,
    graph_error,
    iso_time,
    meta_denial,
    paginate,
    parse_time,
    request_token,
    select_fields,
    split_version,
    token_problem,
    unknown_node,
    usage_headers,
)
from simulator.responses import form_params, json_response, query_params
from simulator.seed import DAY, Account, Post
from simulator.state import AuthCode, SimState, Token

__all__ = ["handle_auth", "handle_graph"]

PLATFORM = "threads"
SCOPES = (
    "threads_basic",
    "threads_content_publish",
    "threads_manage_insights",
    "threads_manage_replies",
    "threads_read_replies",
    "threads_delete",
    "threads_keyword_search",
    "threads_profile_discovery",
    "threads_manage_mentions",
    "threads_location_tagging",
)
SHORT_LIVED = 3_600
LONG_LIVED = 5_183_944
MEDIA_METRICS = ("views", "likes", "replies", "reposts", "quotes", "shares")
USER_METRICS = (
    "views",
    "likes",
    "replies",
    "reposts",
    "quotes",
    "clicks",
    "followers_count",
    "follower_demographics",
)
EARLIEST_INSIGHTS = 1_712_991_600


def handle_auth(state: SimState, request: httpx.Request, path: str) -> httpx.Response:
    if path.rstrip("/") == "/oauth/authorize":
        return run_authorize(state, request, AUTHORIZE)
    return error_page(404, "Threads", "not_found", "Page not found.")


def _requested(params: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s.strip() for s in params.get("scope", "").split(",") if s.strip()))


def _validate(state: SimState, params: Mapping[str, str]) -> httpx.Response | None:
    client = state.client(PLATFORM, params.get("client_id"))
    if client is None:
        return error_page(400, "Threads", "invalid_client_id", "Invalid platform app.")
    if not client.accepts_redirect(params.get("redirect_uri", "")):
        return error_page(
            400, "Threads", "invalid_redirect_uri", "Invalid redirect_uri: it is not registered for this app."
        )
    if params.get("response_type") != "code":
        return error_page(400, "Threads", "invalid_response_type", "response_type must be code.")
    scopes = _requested(params)
    unknown = [s for s in scopes if s not in SCOPES]
    if not scopes or unknown or "threads_basic" not in scopes:
        return error_page(
            400,
            "Threads",
            "invalid_scope",
            f"Invalid scope: {','.join(unknown) or 'threads_basic is required'}",
        )
    return None


def _approve(state: SimState, grant: Grant) -> dict[str, str]:
    code = state.issue_code(
        AuthCode(
            value="AQ" + state.random_string(120, TOKEN_ALPHABET + "-_"),
            platform=PLATFORM,
            client_id=grant.params["client_id"],
            user_id=grant.login.user_id,
            redirect_uri=grant.params["redirect_uri"],
            scopes=grant.scopes,
            expires_at=state.now() + 3_600,
        )
    )
    out = {"code": code.value}
    if "state" in grant.params:
        out["state"] = grant.params["state"]
    return out


AUTHORIZE = AuthorizeSpec(
    platform=PLATFORM,
    brand="Threads",
    login_platform=PLATFORM,
    validate=_validate,
    requested_scopes=_requested,
    approve=_approve,
    denial=meta_denial,
    locked_scopes=("threads_basic",),
    fragment="_",
)


def _app_id(state: SimState) -> str:
    return next((c.client_id for c in state.clients.values() if c.platform == PLATFORM), "")


def handle_graph(state: SimState, request: httpx.Request, path: str) -> httpx.Response:
    _, rest = split_version(path)
    if rest == "oauth/access_token":
        return _oauth_access_token(state, request)
    if rest == "access_token":
        return _exchange(state, request)
    if rest == "refresh_access_token":
        return _refresh(state, request)
    if rest == "debug_token":
        client = state.client(PLATFORM, _app_id(state))
        assert client is not None
        caller = state.tokens.get(request_token(request) or "")
        if caller is None or caller.platform != PLATFORM:
            return graph_error(400, "Invalid OAuth access token - Cannot parse access token", 190)
        input_token = request.url.params.get("input_token", "")
        return json_response(
            200, {"data": debug_data(state, input_token, PLATFORM, client.client_id, client.name)}
        )
    value = request_token(request)
    token = state.tokens.get(value or "")
    if token is not None and token.platform != PLATFORM:
        token = None
    problem = token_problem(state, value, token, _app_id(state))
    if problem is not None:
        return problem
    assert token is not None
    headers = usage_headers(state, f"threads:{token.client_id}", None, "threads")
    if isinstance(headers, httpx.Response):
        return headers
    response = _route(state, request, token, rest.split("/"))
    response.headers.update(headers)
    return response


def _route(state: SimState, request: httpx.Request, token: Token, segments: list[str]) -> httpx.Response:
    node = token.user_id if segments[0] == "me" else segments[0]
    edge = segments[1] if len(segments) > 1 else ""
    account = state.world.accounts[token.user_id]
    if request.method != "GET":
        return unknown_node(node)
    if node == account.id:
        if edge == "":
            return _profile(state, request, account)
        if edge == "threads":
            return _threads(state, request, account)
        if edge == "threads_insights":
            return _user_insights(state, request, token, account)
        return unknown_node(node)
    post = state.world.posts.get(node)
    if post is None or post.account_id != account.id or not post.visible(state.now()):
        return unknown_node(node)
    if edge == "":
        body = select_fields(
            _thread_values(account, post), request.url.params.get("fields"), ("id",), "ThreadsMedia"
        )
        return body if isinstance(body, httpx.Response) else json_response(200, body)
    if edge == "insights":
        return _media_insights(state, request, token, post)
    return unknown_node(node)


def _user_id(state: SimState, user_id: str) -> int | str:
    return int(user_id) if state.knobs.threads_user_id_type == "number" else user_id


def _client(state: SimState, params: Mapping[str, str], need_secret: bool = True) -> httpx.Response | None:
    client = state.client(PLATFORM, params.get("client_id") or _app_id(state))
    if client is None:
        return graph_error(400, "Error validating application. Invalid application ID.", 101)
    if need_secret and not hmac.compare_digest(params.get("client_secret", ""), client.client_secret):
        return graph_error(400, "Error validating client secret.", 1)
    return None


def _oauth_access_token(state: SimState, request: httpx.Request) -> httpx.Response:
    params = {**query_params(request), **form_params(request)}
    problem = _client(state, params)
    if problem is not None:
        return problem
    if params.get("grant_type") == "client_credentials":
        app = params["client_id"]
        return json_response(
            200, {"access_token": f"TH|{app}|{state.random_string(27)}", "token_type": "bearer"}
        )
    if params.get("grant_type") != "authorization_code":
        return graph_error(400, "(#100) Unsupported grant_type", 100)
    code = state.codes.get(params.get("code", ""))
    if code is None or code.platform != PLATFORM or code.client_id != params.get("client_id"):
        return graph_error(400, "Invalid verification code format.", 100)
    if code.used:
        return graph_error(400, "This authorization code has been used.", 100, subcode=36009)
    if state.now() >= code.expires_at:
        return graph_error(400, "This authorization code has expired.", 100, subcode=36007)
    if params.get("redirect_uri") != code.redirect_uri:
        return graph_error(400, REDIRECT_MISMATCH, 100, subcode=36008)
    code.used = True
    token = _issue(state, code.client_id, code.user_id, code.scopes, long=False)
    return json_response(200, {"access_token": token.value, "user_id": _user_id(state, code.user_id)})


def _issue(state: SimState, client_id: str, user_id: str, scopes: tuple[str, ...], long: bool) -> Token:
    return state.issue_token(
        value="THQ" + state.random_string(160, TOKEN_ALPHABET),
        platform=PLATFORM,
        kind="access",
        client_id=client_id,
        user_id=user_id,
        scopes=scopes,
        lifetime=LONG_LIVED if long else SHORT_LIVED,
        extra={"lived": "long" if long else "short"},
    )


def _long_body(state: SimState, token: Token) -> httpx.Response:
    assert token.expires_at is not None
    return json_response(
        200,
        {
            "access_token": token.value,
            "token_type": "bearer",
            "expires_in": int(token.expires_at - state.now()),
        },
    )


def _live(state: SimState, value: str) -> Token | httpx.Response:
    token = state.tokens.get(value)
    if token is not None and token.platform != PLATFORM:
        token = None
    problem = token_problem(state, value, token, _app_id(state))
    if problem is not None:
        return problem
    assert token is not None
    return token


def _exchange(state: SimState, request: httpx.Request) -> httpx.Response:
    params = query_params(request)
    if params.get("grant_type") != "th_exchange_token":
        return graph_error(400, "(#100) grant_type must be th_exchange_token", 100)
    problem = _client(state, params)
    if problem is not None:
        return problem
    token = _live(state, params.get("access_token", ""))
    if isinstance(token, httpx.Response):
        return token
    return _long_body(state, _issue(state, token.client_id, token.user_id, token.scopes, long=True))


def _refresh(state: SimState, request: httpx.Request) -> httpx.Response:
    params = query_params(request)
    if params.get("grant_type") != "th_refresh_token":
        return graph_error(400, "(#100) grant_type must be th_refresh_token", 100)
    token = _live(state, params.get("access_token", ""))
    if isinstance(token, httpx.Response):
        return token
    if token.extra.get("lived") != "long" or state.now() - token.issued_at < DAY:
        return graph_error(
            400, "(#100) Only long-lived tokens at least 24 hours old and not expired can be refreshed", 100
        )
    return _long_body(state, _issue(state, token.client_id, token.user_id, token.scopes, long=True))


def _profile(_state: SimState, request: httpx.Request, account: Account) -> httpx.Response:
    values = {
        "id": account.id,
        "username": account.handle,
        "name": account.name,
        "threads_profile_picture_url": f"https://scontent.sim.example/threads/{account.id}.jpg",
        "threads_biography": account.bio,
        "is_verified": False,
    }
    body = select_fields(values, request.url.params.get("fields"), ("id",), "ThreadsUser")
    return body if isinstance(body, httpx.Response) else json_response(200, body)


def _thread_values(account: Account, post: Post) -> dict[str, Any]:
    return {
        "id": post.id,
        "media_product_type": "THREADS",
        "media_type": post.kind,
        "media_url": None
        if post.kind == "TEXT_POST"
        else f"https://scontent.sim.example/threads/{post.id}.jpg",
        "permalink": f"https://www.threads.net/@{account.handle}/post/{post.id[-11:]}",
        "owner": {"id": account.id},
        "username": account.handle,
        "text": post.title,
        "timestamp": iso_time(post.created_at),
        "shortcode": post.id[-11:],
        "thumbnail_url": None,
        "children": None,
        "is_quote_post": False,
    }


def _threads(state: SimState, request: httpx.Request, account: Account) -> httpx.Response:
    params = query_params(request)
    since, until = parse_time(params.get("since")), parse_time(params.get("until"))
    items = []
    for post in account.visible_posts(state.now()):
        if (since is not None and post.created_at < since) or (until is not None and post.created_at > until):
            continue
        selected = select_fields(_thread_values(account, post), params.get("fields"), ("id",), "ThreadsMedia")
        if isinstance(selected, httpx.Response):
            return selected
        items.append(selected | {"id": post.id})
    body = paginate(state, request, items)
    return body if isinstance(body, httpx.Response) else json_response(200, body)


def _insight(owner: str, name: str, period: str, **shape: Any) -> dict[str, Any]:
    return {
        "name": name,
        "period": period,
        **shape,
        "title": name.replace("_", " ").capitalize(),
        "description": f"Simulated {name}",
        "id": f"{owner}/insights/{name}/{period}",
    }


def _metrics(raw: str | None, allowed: tuple[str, ...]) -> list[str] | httpx.Response:
    metrics = [m.strip() for m in (raw or "").split(",") if m.strip()]
    if not metrics:
        return graph_error(400, "(#100) The parameter metric is required", 100)
    for index, metric in enumerate(metrics):
        if metric not in allowed:
            return graph_error(
                400, f"(#100) metric[{index}] must be one of the following values: {', '.join(allowed)}", 100
            )
    return metrics


def _media_insights(state: SimState, request: httpx.Request, token: Token, post: Post) -> httpx.Response:
    if "threads_manage_insights" not in token.scopes:
        return graph_error(400, "(#10) Application does not have permission for this action", 10)
    metrics = _metrics(request.url.params.get("metric"), MEDIA_METRICS)
    if isinstance(metrics, httpx.Response):
        return metrics
    c = post.counters(state.now())
    values = {
        "views": c.views,
        "likes": c.likes,
        "replies": c.comments,
        "reposts": c.shares // 2,
        "quotes": c.shares // 4,
        "shares": c.shares,
    }
    return json_response(
        200, {"data": [_insight(post.id, m, "lifetime", values=[{"value": values[m]}]) for m in metrics]}
    )


def _user_insights(state: SimState, request: httpx.Request, token: Token, account: Account) -> httpx.Response:
    if "threads_manage_insights" not in token.scopes:
        return graph_error(400, "(#10) Application does not have permission for this action", 10)
    params = query_params(request)
    metrics = _metrics(params.get("metric"), USER_METRICS)
    if isinstance(metrics, httpx.Response):
        return metrics
    now = state.now()
    today = now - now % DAY
    since = parse_time(params.get("since")) or today - DAY
    until = parse_time(params.get("until")) or now
    if since < EARLIEST_INSIGHTS or until < EARLIEST_INSIGHTS:
        return graph_error(400, "(#100) since and until must be on or after 1712991600", 100)
    activity = account.activity(since, until)
    data = []
    for metric in metrics:
        if metric == "views":
            ends = [since + DAY * (i + 1) for i in range(max(1, int((until - since) // DAY)))]
            daily = [
                {"value": account.activity(e - DAY, e).views // 8, "end_time": iso_time(e)} for e in ends
            ]
            if state.knobs.threads_views_shape == "time_series":
                data.append(_insight(account.id, metric, "day", values=daily))
            else:
                data.append(
                    _insight(
                        account.id,
                        metric,
                        "day",
                        total_value={"value": sum(int(str(v["value"])) for v in daily)},
                    )
                )
        elif metric == "clicks":
            link = f"https://example.test/{account.handle}"
            data.append(
                _insight(
                    account.id,
                    metric,
                    "day",
                    link_total_values=[{"value": activity.views // 300, "link_url": link}],
                )
            )
        elif metric == "followers_count":
            data.append(_insight(account.id, metric, "day", total_value={"value": account.followers(now)}))
        elif metric == "follower_demographics":
            item = _demographics(account, params.get("breakdown", ""), now)
            if isinstance(item, httpx.Response):
                return item
            data.extend(item)
        else:
            values = {
                "likes": activity.likes,
                "replies": activity.comments,
                "reposts": activity.shares // 2,
                "quotes": activity.shares // 4,
            }
            data.append(_insight(account.id, metric, "day", total_value={"value": values[metric]}))
    return json_response(200, {"data": data})


def _demographics(account: Account, breakdown: str, now: float) -> list[dict[str, Any]] | httpx.Response:
    buckets = {
        "age": account.audience.ages,
        "gender": account.audience.genders,
        "country": account.audience.countries,
        "city": account.audience.cities,
    }
    if breakdown not in buckets:
        return graph_error(
            400,
            "(#100) follower_demographics requires exactly one breakdown: country, city, age or gender",
            100,
        )
    followers = account.followers(now)
    if followers < 100:
        return []
    results = [
        {"dimension_values": [name], "value": int(followers * 0.9 * share)}
        for name, share in buckets[breakdown]
    ]
    total = {
        "breakdowns": [
            {"dimension_keys": [breakdown], "results": [r for r in results if int(str(r["value"])) > 0]}
        ]
    }
    return [_insight(account.id, "follower_demographics", "lifetime", total_value=total)]
