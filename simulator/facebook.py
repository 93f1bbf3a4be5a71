"""Facebook Login dialog and graph.facebook.com: OAuth, debug_token, permissions, Pages (platforms/meta.md).

Instagram nodes reached through graph.facebook.com are answered by :mod:`simulator.instagram`.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

import httpx

from simulator import instagram
from simulator.consent import AuthorizeSpec, Grant, error_page, run_authorize
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
from simulator.seed import DAY, Account, Login, Post
from simulator.state import AuthCode, SimState, Token

__all__ = ["handle_dialog", "handle_graph", "server_error_response", "throttled_response"]

PLATFORM = "meta"
SCOPES = (
    "public_profile",
    "email",
    "pages_show_list",
    "pages_read_engagement",
    "pages_read_user_engagement",
    "pages_manage_posts",
    "pages_manage_engagement",
    "read_insights",
    "instagram_basic",
    "instagram_manage_insights",
    "instagram_content_publish",
    "business_management",
    "publish_video",
)
SHORT_LIVED = 5_400
LONG_LIVED = 5_183_944
DATA_ACCESS = 90 * DAY
PAGE_METRICS = (
    "page_media_view",
    "page_total_media_view_unique",
    "page_follows",
    "page_daily_follows_unique",
    "page_daily_unfollows_unique",
    "page_post_engagements",
    "page_video_views",
)
POST_METRICS = (
    "post_media_view",
    "post_total_media_view_unique",
    "post_reactions_by_type_total",
    "post_reactions_like_total",
    "post_clicks",
    "post_video_views",
)
PERIODS = {"day": DAY, "week": 7 * DAY, "days_28": 28 * DAY}


# ---- Login dialog (www.facebook.com) -----------------------------------------------------------


def handle_dialog(state: SimState, request: httpx.Request, path: str) -> httpx.Response:
    _, rest = split_version(path)
    if rest == "dialog/oauth":
        return run_authorize(state, request, AUTHORIZE)
    return error_page(404, "Facebook", "not_found", "This content isn't available right now.")


def _requested(params: Mapping[str, str]) -> tuple[str, ...]:
    raw = params.get("scope", "").replace(" ", ",")
    return tuple(dict.fromkeys(s for s in (x.strip() for x in raw.split(",")) if s)) or ("public_profile",)


def _validate(state: SimState, params: Mapping[str, str]) -> httpx.Response | None:
    client = state.client(PLATFORM, params.get("client_id"))
    if client is None:
        return error_page(
            400, "Facebook", "invalid_app_id", "Invalid App ID: the provided app ID is invalid."
        )
    if not client.accepts_redirect(params.get("redirect_uri", "")):
        return error_page(
            400,
            "Facebook",
            "url_blocked",
            "URL Blocked: This redirect failed because the redirect URI is not whitelisted in the app's "
            "Client OAuth Settings.",
        )
    kinds = set(params.get("response_type", "code").replace("%20", " ").split())
    if not kinds <= {"code", "granted_scopes"} or "code" not in kinds:
        return error_page(
            400, "Facebook", "unsupported_response_type", "The simulator supports response_type=code."
        )
    unknown = [s for s in _requested(params) if s not in SCOPES]
    if unknown:
        return error_page(
            400,
            "Facebook",
            "invalid_scopes",
            f"Invalid Scopes: {', '.join(unknown)}. This message is only shown to developers.",
        )
    return None


def _approve(state: SimState, grant: Grant) -> dict[str, str]:
    code = state.issue_code(
        AuthCode(
            value="AQ" + state.random_string(180, TOKEN_ALPHABET + "-_"),
            platform=PLATFORM,
            client_id=grant.params["client_id"],
            user_id=grant.login.user_id,
            redirect_uri=grant.params["redirect_uri"],
            scopes=grant.scopes,
            expires_at=state.now() + state.knobs.meta_code_ttl_seconds,
        )
    )
    out = {"code": code.value}
    if "granted_scopes" in grant.params.get("response_type", ""):
        denied = [s for s in _requested(grant.params) if s not in grant.scopes]
        out["granted_scopes"] = ",".join(grant.scopes)
        out["denied_scopes"] = ",".join(denied)
    if "state" in grant.params:
        out["state"] = grant.params["state"]
    return out


AUTHORIZE = AuthorizeSpec(
    platform=PLATFORM,
    brand="Facebook",
    login_platform=PLATFORM,
    validate=_validate,
    requested_scopes=_requested,
    approve=_approve,
    denial=meta_denial,
    locked_scopes=("public_profile",),
    fragment="_=_",
)


# ---- graph.facebook.com ------------------------------------------------------------------------


def throttled_response(_state: SimState, _path: str) -> httpx.Response:
    usage = '{"call_count":100,"total_cputime":40,"total_time":40}'
    return graph_error(
        400,
        "(#4) Application request limit reached",
        4,
        extra={"is_transient": True},
        headers={"X-App-Usage": usage},
    )


def server_error_response(_state: SimState) -> httpx.Response:
    return graph_error(
        500,
        "An unexpected error has occurred. Please retry your request later.",
        2,
        extra={"is_transient": True},
    )


def handle_graph(state: SimState, request: httpx.Request, path: str) -> httpx.Response:
    _, rest = split_version(path)
    if rest == "oauth/access_token":
        return _access_token(state, request)
    if rest == "debug_token":
        return _debug_token(state, request)
    app = _app_id(state)
    value = request_token(request)
    token = state.tokens.get(value or "")
    if token is not None and token.platform != PLATFORM:
        token = None
    problem = token_problem(state, value, token, app)
    if problem is not None:
        return problem
    assert token is not None
    segments = rest.split("/")
    node, edge, sub = segments[0], "/".join(segments[1:2]), "/".join(segments[2:])
    if node == "me":
        node = token.extra.get("page_id", token.user_id)
    account, post = _resolve(state, token, node)
    buc_object, buc = None, "pages"
    if account is not None and account.platform == "instagram":
        buc_object, buc = account.id, "instagram"
    elif account is not None and token.kind == "page":
        buc_object = account.id
    headers = usage_headers(state, token.client_id, buc_object, buc)
    if isinstance(headers, httpx.Response):
        return headers
    response = _route(state, request, token, node, edge, sub, account, post)
    response.headers.update(headers)
    return response


def _app_id(state: SimState) -> str:
    return next((c.client_id for c in state.clients.values() if c.platform == PLATFORM), "")


def _resolve(state: SimState, token: Token, node: str) -> tuple[Account | None, Post | None]:
    """The account (Page or IG user) or post a node id names, if this token may see it."""
    world = state.world
    post = world.posts.get(node)
    account = world.accounts.get(post.account_id if post else node)
    if account is None or account.platform not in ("facebook_page", "instagram"):
        return None, None
    page_id = token.extra.get("page_id")
    if page_id is not None:
        page = world.accounts[page_id]
        visible = account.id == page_id or account.id == page.attr("ig")
    else:
        visible = account.owner == token.user_id
    return (account, post) if visible else (None, None)


def _route(
    state: SimState,
    request: httpx.Request,
    token: Token,
    node: str,
    edge: str,
    sub: str,
    account: Account | None,
    post: Post | None,
) -> httpx.Response:
    method = request.method
    if node == token.user_id and "page_id" not in token.extra:
        login = state.world.login(PLATFORM, token.user_id)
        assert login is not None
        if method == "GET" and edge == "":
            return _user_node(state, request, token, login)
        if method == "GET" and edge == "accounts":
            return _accounts(state, request, token, login)
        if edge == "permissions" and method == "GET":
            return json_response(
                200, {"data": [{"permission": s, "status": "granted"} for s in token.scopes]}
            )
        if edge == "permissions" and method == "DELETE":
            return _delete_permissions(state, token, sub)
        return unknown_node(node)
    if account is None:
        return unknown_node(node)
    if account.platform == "instagram":
        return instagram.handle_node(state, request, token, account, post, edge)
    if method != "GET":
        return unknown_node(node)
    if post is not None:
        if edge == "":
            return _post_node(state, request, account, post)
        if edge == "insights":
            return _post_insights(state, request, token, post)
        return unknown_node(node)
    if edge == "":
        return _page_node(state, request, token, account)
    if edge in ("feed", "published_posts", "posts"):
        return _page_feed(state, request, token, account)
    if edge == "insights":
        return _page_insights(state, request, token, account)
    return unknown_node(node)


def _need(token: Token, permission: str) -> httpx.Response | None:
    if permission in token.scopes:
        return None
    return graph_error(400, f"(#10) This endpoint requires the '{permission}' permission.", 10)


# ---- OAuth on the Graph host -------------------------------------------------------------------


def _access_token(state: SimState, request: httpx.Request) -> httpx.Response:
    params = {**query_params(request), **form_params(request)}
    client = state.client(PLATFORM, params.get("client_id"))
    if params.get("grant_type") == "client_credentials" or "code" in params or "fb_exchange_token" in params:
        if client is None:
            return graph_error(400, "Error validating application. Invalid application ID.", 101)
        if not hmac.compare_digest(params.get("client_secret", ""), client.client_secret):
            return graph_error(400, "Error validating client secret.", 1)
    else:
        return graph_error(400, "(#100) Missing a required parameter: code", 100)
    assert client is not None
    if params.get("grant_type") == "client_credentials":
        return json_response(
            200, {"access_token": f"{client.client_id}|{client.client_secret}", "token_type": "bearer"}
        )
    if params.get("grant_type") == "fb_exchange_token":
        return _exchange_long_lived(state, client.client_id, params.get("fb_exchange_token", ""))
    code = state.codes.get(params.get("code", ""))
    if code is None or code.platform != PLATFORM or code.client_id != client.client_id:
        return graph_error(400, "Invalid verification code format.", 100)
    if code.used:
        return graph_error(400, "This authorization code has been used.", 100, subcode=36009)
    if state.now() >= code.expires_at:
        return graph_error(400, "This authorization code has expired.", 100, subcode=36007)
    if params.get("redirect_uri") != code.redirect_uri:
        return graph_error(400, REDIRECT_MISMATCH, 100, subcode=36008)
    code.used = True
    long = state.knobs.meta_code_exchange_lifetime == "long"
    token = _user_token(state, client.client_id, code.user_id, code.scopes, long)
    return _token_body(state, token)


def _user_token(state: SimState, client_id: str, user_id: str, scopes: tuple[str, ...], long: bool) -> Token:
    return state.issue_token(
        value="EAA" + state.random_string(8) + "ZDZD" + state.random_string(150, TOKEN_ALPHABET),
        platform=PLATFORM,
        kind="access",
        client_id=client_id,
        user_id=user_id,
        scopes=scopes,
        lifetime=LONG_LIVED if long else SHORT_LIVED,
        extra={"lived": "long" if long else "short"},
    )


def _token_body(state: SimState, token: Token) -> httpx.Response:
    body: dict[str, Any] = {"access_token": token.value, "token_type": "bearer"}
    if token.expires_at is not None and not state.knobs.meta_omit_expires_in:
        body["expires_in"] = int(token.expires_at - state.now())
    return json_response(200, body)


def _exchange_long_lived(state: SimState, client_id: str, value: str) -> httpx.Response:
    token = state.tokens.get(value)
    if token is not None and (token.platform != PLATFORM or token.kind != "access"):
        token = None
    problem = token_problem(state, value, token, client_id)
    if problem is not None:
        return problem
    assert token is not None
    fresh = _user_token(state, client_id, token.user_id, token.scopes, long=True)
    if token.extra.get("lived") == "long" and state.knobs.meta_reexchange_expiry == "unchanged":
        # meta.md §1.3 [U]: re-exchanging a long-lived token may not extend it; a new string, same death.
        fresh.expires_at = token.expires_at
    return _token_body(state, fresh)


def _debug_token(state: SimState, request: httpx.Request) -> httpx.Response:
    params = query_params(request)
    app_id = _app_id(state)
    client = state.client(PLATFORM, app_id)
    assert client is not None
    caller_value = request_token(request) or ""
    caller = state.tokens.get(caller_value)
    app_token = f"{client.client_id}|{client.client_secret}"
    caller_ok = caller_value == app_token or (
        caller is not None
        and caller.platform == PLATFORM
        and token_problem(state, caller_value, caller, app_id) is None
    )
    if not caller_ok:
        return graph_error(400, "Invalid OAuth access token - Cannot parse access token", 190)
    if "input_token" not in params:
        return graph_error(400, "(#100) The parameter input_token is required", 100)
    return json_response(
        200, {"data": debug_data(state, params["input_token"], PLATFORM, client.client_id, client.name)}
    )


def debug_data(state: SimState, value: str, platform: str, app_id: str, app_name: str) -> dict[str, Any]:
    """The ``data`` object of ``debug_token`` (shared with Threads)."""
    token = state.tokens.get(value)
    if token is not None and token.platform != platform:
        token = None
    problem = token_problem(state, value, token, app_id)
    if token is None or problem is not None:
        error = problem.json()["error"] if problem is not None else {"code": 190, "message": "Invalid token"}
        data: dict[str, Any] = {
            "app_id": app_id,
            "application": app_name,
            "is_valid": False,
            "scopes": list(token.scopes) if token else [],
            "error": {
                "code": error["code"],
                "message": error["message"],
                "subcode": error.get("error_subcode"),
            },
        }
        if token is not None:
            data |= {"type": "PAGE" if token.kind == "page" else "USER", "user_id": token.user_id}
            data["expires_at"] = int(token.expires_at or 0)
        return data
    data = {
        "app_id": app_id,
        "type": "PAGE" if token.kind == "page" else "USER",
        "application": app_name,
        "data_access_expires_at": int(token.issued_at + DATA_ACCESS),
        "expires_at": int(token.expires_at) if token.expires_at is not None else 0,
        "is_valid": True,
        "scopes": list(token.scopes),
        "user_id": token.user_id,
    }
    if token.extra.get("lived") == "long":
        data["issued_at"] = int(token.issued_at)
    if token.kind == "page":
        data["profile_id"] = token.extra["page_id"]
    if platform == PLATFORM:
        data["granular_scopes"] = _granular(state, token)
    return data


def _granular(state: SimState, token: Token) -> list[dict[str, Any]]:
    login = state.world.login(PLATFORM, token.user_id)
    pages = state.world.accounts_of(login, "facebook_page") if login else []
    out: list[dict[str, Any]] = []
    for scope in token.scopes:
        if scope.startswith("pages_") or scope == "read_insights":
            out.append({"scope": scope, "target_ids": [p.id for p in pages]})
        elif scope.startswith("instagram_"):
            out.append({"scope": scope, "target_ids": [ig for p in pages if (ig := p.attr("ig"))]})
        else:
            out.append({"scope": scope})
    return out


def _delete_permissions(state: SimState, token: Token, permission: str) -> httpx.Response:
    if permission:
        for issued in state.tokens.values():
            if (
                issued.platform == PLATFORM
                and issued.user_id == token.user_id
                and permission in issued.scopes
            ):
                issued.scopes = tuple(s for s in issued.scopes if s != permission)
        return json_response(200, {"success": True})
    state.revoke_user(
        PLATFORM, token.client_id, token.user_id, via="DELETE /me/permissions", reason="app_removed"
    )
    return json_response(200, {"success": True})


# ---- user, Pages, posts ------------------------------------------------------------------------


def _user_node(_state: SimState, request: httpx.Request, token: Token, login: Login) -> httpx.Response:
    first, _, last = login.name.partition(" ")
    values = {
        "id": login.user_id,
        "name": login.name,
        "first_name": first,
        "last_name": last,
        "email": login.email if "email" in token.scopes else None,
    }
    body = select_fields(values, request.url.params.get("fields"), ("name", "id"), "User")
    return body if isinstance(body, httpx.Response) else json_response(200, body)


def _page_token(state: SimState, token: Token, page: Account) -> Token:
    key = f"page:{page.id}"
    existing = state.tokens.get(token.extra.get(key, ""))
    if existing is not None:
        return existing
    lifetime = None if token.extra.get("lived") == "long" else 3_600
    issued = state.issue_token(
        value="EAA" + state.random_string(8) + "ZDZD" + state.random_string(170, TOKEN_ALPHABET),
        platform=PLATFORM,
        kind="page",
        client_id=token.client_id,
        user_id=token.user_id,
        scopes=token.scopes,
        lifetime=lifetime,
        extra={"page_id": page.id},
    )
    token.extra[key] = issued.value
    return issued


def _page_values(state: SimState, token: Token, page: Account) -> dict[str, Any]:
    now = state.now()
    ig = page.attr("ig")
    followers = page.followers(now)
    return {
        "id": page.id,
        "name": page.name,
        "category": "Creator",
        "category_list": [{"id": "2612", "name": "Creator"}],
        "tasks": ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"],
        "link": f"https://www.facebook.com/{page.handle}",
        "username": page.handle,
        "about": page.bio,
        "fan_count": int(followers * 0.93),
        "followers_count": followers,
        "instagram_business_account": {"id": ig} if ig and "instagram_basic" in token.scopes else None,
    }


def _accounts(state: SimState, request: httpx.Request, token: Token, login: Login) -> httpx.Response:
    if "pages_show_list" not in token.scopes:
        return json_response(200, {"data": []})
    raw = request.url.params.get("fields")
    items = []
    for page in state.world.accounts_of(login, "facebook_page"):
        values = _page_values(state, token, page) | {"access_token": _page_token(state, token, page).value}
        selected = select_fields(
            values, raw, ("access_token", "category", "category_list", "name", "id", "tasks"), "Page"
        )
        if isinstance(selected, httpx.Response):
            return selected
        items.append(selected | {"id": page.id})
    body = paginate(state, request, items)
    return body if isinstance(body, httpx.Response) else json_response(200, body)


def _page_node(state: SimState, request: httpx.Request, token: Token, page: Account) -> httpx.Response:
    body = select_fields(
        _page_values(state, token, page), request.url.params.get("fields"), ("name", "id"), "Page"
    )
    return body if isinstance(body, httpx.Response) else json_response(200, body)


STATUS_TYPES = {"status": "mobile_status_update", "photo": "added_photos", "video": "added_video"}


def _post_values(state: SimState, page: Account, post: Post) -> dict[str, Any]:
    counters = post.counters(state.now())
    return {
        "id": post.id,
        "message": post.title,
        "created_time": iso_time(post.created_at),
        "permalink_url": f"https://www.facebook.com/{post.id}",
        "status_type": STATUS_TYPES[post.kind],
        "full_picture": None if post.kind == "status" else f"https://scontent.sim.example/{post.id}.jpg",
        "shares": {"count": counters.shares},
        "from": {"id": page.id, "name": page.name},
    }


def _post_node(state: SimState, request: httpx.Request, page: Account, post: Post) -> httpx.Response:
    if not post.visible(state.now()):
        return unknown_node(post.id)
    body = select_fields(
        _post_values(state, page, post),
        request.url.params.get("fields"),
        ("created_time", "message", "id"),
        "Post",
    )
    return body if isinstance(body, httpx.Response) else json_response(200, body)


def _page_feed(state: SimState, request: httpx.Request, token: Token, page: Account) -> httpx.Response:
    problem = _need(token, "pages_read_engagement")
    if problem is not None:
        return problem
    params = query_params(request)
    since, until = parse_time(params.get("since")), parse_time(params.get("until"))
    items = []
    for post in page.visible_posts(state.now()):
        if (since is not None and post.created_at < since) or (until is not None and post.created_at > until):
            continue
        selected = select_fields(
            _post_values(state, page, post), params.get("fields"), ("created_time", "message", "id"), "Post"
        )
        if isinstance(selected, httpx.Response):
            return selected
        items.append(selected | {"id": post.id})
    body = paginate(state, request, items)
    return body if isinstance(body, httpx.Response) else json_response(200, body)


def _insights_checks(token: Token, params: Mapping[str, str]) -> httpx.Response | None:
    if token.kind != "page":
        return graph_error(400, "(#190) This method must be called with a Page Access Token", 190)
    problem = _need(token, "read_insights")
    if problem is not None:
        return problem
    if not params.get("metric"):
        return graph_error(
            400,
            "(#3001) Invalid query",
            3001,
            subcode=1504028,
            extra={"error_user_title": "No metric was specified"},
        )
    return None


def _page_metric(page: Account, metric: str, start: float, end: float) -> int:
    activity = page.activity(start, end)
    if metric == "page_follows":
        return page.followers(end)
    if metric == "page_daily_follows_unique":
        return max(0, page.followers(end) - page.followers(start))
    if metric == "page_daily_unfollows_unique":
        return max(0, page.followers(end) - page.followers(start)) // 20
    if metric == "page_media_view":
        return activity.views + int(page.followers(end) * 0.02 * (end - start) / DAY)
    if metric == "page_total_media_view_unique":
        return int((activity.views + int(page.followers(end) * 0.02 * (end - start) / DAY)) * 0.7)
    if metric == "page_post_engagements":
        return activity.likes + activity.comments + activity.shares
    return page.activity(start, end, ("video",)).views


def _page_insights(state: SimState, request: httpx.Request, token: Token, page: Account) -> httpx.Response:
    params = query_params(request)
    problem = _insights_checks(token, params)
    if problem is not None:
        return problem
    metrics = [m.strip() for m in params["metric"].split(",") if m.strip()]
    bad = [m for m in metrics if m not in PAGE_METRICS]
    if bad:
        return graph_error(400, "(#100) The value must be a valid insights metric", 100)
    period = params.get("period", "day")
    if period not in (*PERIODS, "total_over_range"):
        return graph_error(400, f"(#100) Invalid period: {period}", 100)
    now = state.now()
    day_end = now - now % DAY + 7 * 3600
    until = parse_time(params.get("until")) or day_end
    since = parse_time(params.get("since")) or until - 2 * DAY
    if until - since > 90 * DAY:
        return graph_error(
            400, "(#100) There cannot be more than 90 days (7776000 s) between since and until", 100
        )
    data = []
    for metric in metrics:
        if period == "total_over_range":
            values: list[dict[str, Any]] = [{"value": _page_metric(page, metric, since, until)}]
        else:
            span = PERIODS[period]
            ends = [since + DAY * (i + 1) for i in range(int((until - since) // DAY))]
            values = [
                {"value": _page_metric(page, metric, e - span, e), "end_time": iso_time(e)} for e in ends
            ]
        data.append(
            {
                "name": metric,
                "period": period,
                "values": values,
                "title": metric.replace("_", " ").title(),
                "description": f"Simulated {metric}",
                "id": f"{page.id}/insights/{metric}/{period}",
            }
        )
    return json_response(200, {"data": data})


def _post_insights(state: SimState, request: httpx.Request, token: Token, post: Post) -> httpx.Response:
    params = query_params(request)
    problem = _insights_checks(token, params)
    if problem is not None:
        return problem
    metrics = [m.strip() for m in params["metric"].split(",") if m.strip()]
    if any(m not in POST_METRICS for m in metrics):
        return graph_error(400, "(#100) The value must be a valid insights metric", 100)
    c = post.counters(state.now())
    values: dict[str, Any] = {
        "post_media_view": c.views,
        "post_total_media_view_unique": c.reach,
        "post_reactions_by_type_total": {"like": c.likes - c.likes // 5, "love": c.likes // 5},
        "post_reactions_like_total": c.likes - c.likes // 5,
        "post_clicks": c.views // 25,
        "post_video_views": c.views if post.kind == "video" else 0,
    }
    data = [
        {
            "name": m,
            "period": "lifetime",
            "values": [{"value": values[m]}],
            "title": m.replace("_", " ").title(),
            "description": f"Simulated {m}",
            "id": f"{post.id}/insights/{m}/lifetime",
        }
        for m in metrics
    ]
    return json_response(200, {"data": data})
