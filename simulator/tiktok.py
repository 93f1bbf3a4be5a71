"""TikTok: Login Kit v2 consent page, OAuth token/revoke, Display API v2, webhooks (platforms/tiktok.md)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Mapping
from typing import Any

import httpx

from simulator.consent import AuthorizeSpec, Grant, error_page, run_authorize
from simulator.responses import (
    bearer_token,
    form_params,
    is_form,
    json_body,
    json_response,
    redirect_response,
)
from simulator.seed import Account, Post
from simulator.state import AuthCode, SimState, Token

__all__ = [
    "SCOPES",
    "handle_api",
    "handle_auth",
    "server_error_response",
    "throttled_response",
    "webhook_signature",
]

PLATFORM = "tiktok"
SCOPES = (
    "user.info.basic",
    "user.info.profile",
    "user.info.stats",
    "video.list",
    "video.upload",
    "video.publish",
)
LIFETIMES = {"current": (7_200, 15_552_000), "legacy": (86_400, 31_536_000)}
USER_FIELDS = {
    "open_id": "user.info.basic",
    "union_id": "user.info.basic",
    "avatar_url": "user.info.basic",
    "avatar_url_100": "user.info.basic",
    "avatar_large_url": "user.info.basic",
    "display_name": "user.info.basic",
    "bio_description": "user.info.profile",
    "profile_deep_link": "user.info.profile",
    "is_verified": "user.info.profile",
    "username": "user.info.profile",
    "profile_web_link": "user.info.profile",
    "follower_count": "user.info.stats",
    "following_count": "user.info.stats",
    "likes_count": "user.info.stats",
    "video_count": "user.info.stats",
}
VIDEO_FIELDS = (
    "id",
    "create_time",
    "cover_image_url",
    "share_url",
    "video_description",
    "duration",
    "height",
    "width",
    "title",
    "embed_html",
    "embed_link",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
    "is_aigc",
)
VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
COVER_TTL = 6 * 3600
CDN = "https://p16-sign.tiktokcdn-sim.example"


# ---- consent page (www.tiktok.com) -------------------------------------------------------------


def handle_auth(state: SimState, request: httpx.Request, path: str) -> httpx.Response:
    if path.rstrip("/") == "/v2/auth/authorize":
        return run_authorize(state, request, AUTHORIZE)
    return error_page(404, "TikTok", "not_found", f"No page at {path}.")


def _validate_authorize(state: SimState, params: Mapping[str, str]) -> httpx.Response | None:
    client = state.client(PLATFORM, params.get("client_key"))
    if client is None:
        return error_page(400, "TikTok", "client_key", "Something went wrong: client_key is invalid.")
    if not client.accepts_redirect(params.get("redirect_uri", "")):
        return error_page(400, "TikTok", "redirect_uri", "Something went wrong: redirect_uri is invalid.")
    challenge = params.get("code_challenge")
    if challenge is None and state.knobs.tiktok_require_pkce_web:
        return error_page(
            400, "TikTok", "code_challenge", "Something went wrong: code_challenge is required."
        )
    if challenge is not None and params.get("code_challenge_method") != "S256":
        return error_page(400, "TikTok", "code_challenge_method", "Only S256 is supported.")
    redirect = params["redirect_uri"]
    state_param = {"state": params["state"]} if "state" in params else {}
    if params.get("response_type") != "code":
        return redirect_response(
            redirect,
            {"error": "unsupported_response_type", "error_description": "response_type must be code"}
            | state_param,
        )
    scopes = _requested(params)
    unknown = [s for s in scopes if s not in SCOPES]
    if not scopes or unknown:
        description = f"Invalid scope: {','.join(unknown)}" if unknown else "scope is required"
        return redirect_response(
            redirect, {"error": "invalid_scope", "error_description": description} | state_param
        )
    return None


def _requested(params: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s.strip() for s in params.get("scope", "").split(",") if s.strip()))


def _approve(state: SimState, grant: Grant) -> dict[str, str]:
    scopes = tuple(dict.fromkeys(("user.info.basic", *grant.scopes)))
    # Real codes carry characters such as * and ! that clients must URL-decode (contract 1.2).
    value = f"{state.random_string(24)}*{state.random_string(3)}!{state.random_string(6)}"
    state.issue_code(
        AuthCode(
            value=value,
            platform=PLATFORM,
            client_id=grant.params["client_key"],
            user_id=grant.login.user_id,
            redirect_uri=grant.params["redirect_uri"],
            scopes=scopes,
            expires_at=state.now() + state.knobs.tiktok_auth_code_ttl_seconds,
            code_challenge=grant.params.get("code_challenge"),
            code_challenge_method=grant.params.get("code_challenge_method"),
        )
    )
    out = {"code": value, "scopes": ",".join(scopes)}
    if "state" in grant.params:
        out["state"] = grant.params["state"]
    return out


def _denial(params: Mapping[str, str]) -> dict[str, str]:
    out = {"error": "access_denied", "error_description": "The user denied the authorization request."}
    if "state" in params:
        out["state"] = params["state"]
    return out


AUTHORIZE = AuthorizeSpec(
    platform=PLATFORM,
    brand="TikTok",
    login_platform=PLATFORM,
    validate=_validate_authorize,
    requested_scopes=_requested,
    approve=_approve,
    denial=_denial,
    client_id_param="client_key",
    locked_scopes=("user.info.basic",),
)


# ---- open.tiktokapis.com -----------------------------------------------------------------------


def handle_api(state: SimState, request: httpx.Request, path: str) -> httpx.Response:
    routes = {
        ("POST", "/v2/oauth/token/"): _token,
        ("POST", "/v2/oauth/revoke/"): _revoke,
        ("GET", "/v2/user/info/"): _user_info,
        ("POST", "/v2/video/list/"): _video_list,
        ("POST", "/v2/video/query/"): _video_query,
    }
    handler = routes.get((request.method, path))
    if handler is None:
        return _api_error(state, 404, "invalid_params", f"No such endpoint: {request.method} {path}")
    return handler(state, request)


def _oauth_error(state: SimState, error: str, description: str) -> httpx.Response:
    body = {"error": error, "error_description": description, "log_id": state.log_id()}
    return json_response(state.knobs.tiktok_oauth_error_status, body)


def _token(state: SimState, request: httpx.Request) -> httpx.Response:
    if not is_form(request):
        return _oauth_error(
            state, "invalid_request", "Content-Type must be application/x-www-form-urlencoded."
        )
    form = form_params(request)
    client = state.client(PLATFORM, form.get("client_key"))
    if client is None or not hmac.compare_digest(form.get("client_secret", ""), client.client_secret):
        return _oauth_error(state, "invalid_client", "Client key or secret is incorrect.")
    grant_type = form.get("grant_type")
    if grant_type == "authorization_code":
        return _exchange_code(state, form)
    if grant_type == "refresh_token":
        return _refresh(state, form)
    if grant_type == "client_credentials":
        token = state.issue_token(
            value="clt." + state.random_string(60),
            platform=PLATFORM,
            kind="app",
            client_id=client.client_id,
            user_id="",
            scopes=(),
            lifetime=7_200,
        )
        return json_response(200, {"access_token": token.value, "expires_in": 7_200, "token_type": "Bearer"})
    return _oauth_error(state, "unsupported_grant_type", "Grant type is not supported.")


def _exchange_code(state: SimState, form: Mapping[str, str]) -> httpx.Response:
    code = state.codes.get(form.get("code", ""))
    if code is None or code.platform != PLATFORM or code.client_id != form["client_key"]:
        return _oauth_error(state, "invalid_grant", "Authorization code is invalid.")
    if code.used:
        return _oauth_error(state, "invalid_grant", "Authorization code has been used.")
    if state.now() >= code.expires_at:
        return _oauth_error(state, "invalid_grant", "Authorization code is expired.")
    if form.get("redirect_uri") != code.redirect_uri:
        return _oauth_error(
            state, "invalid_request", "Redirect_uri is not matched with the uri when requesting code."
        )
    if code.code_challenge is not None:
        verifier = form.get("code_verifier", "")
        expected = hashlib.sha256(verifier.encode()).hexdigest()
        if not VERIFIER.match(verifier) or not hmac.compare_digest(expected, code.code_challenge):
            return _oauth_error(state, "invalid_request", "Code verifier or code challenge is invalid.")
    code.used = True
    return _token_pair(state, code.client_id, code.user_id, code.scopes, refresh=None)


def _refresh(state: SimState, form: Mapping[str, str]) -> httpx.Response:
    old = state.tokens.get(form.get("refresh_token", ""))
    now = state.now()
    if (
        old is None
        or old.platform != PLATFORM
        or old.kind != "refresh"
        or old.client_id != form["client_key"]
        or old.revoked_reason is not None
        or old.expired(now)
    ):
        return _oauth_error(state, "invalid_grant", "Refresh token is invalid or expired.")
    if state.knobs.tiktok_refresh_rotation:
        old.revoked_reason = "rotated"
        # tiktok.md §2 [U]: whether a refresh restarts the refresh-token clock is not documented.
        keep_until = old.expires_at if state.knobs.tiktok_refresh_keeps_clock else None
        return _token_pair(state, old.client_id, old.user_id, old.scopes, refresh=None, keep_until=keep_until)
    return _token_pair(state, old.client_id, old.user_id, old.scopes, refresh=old)


def _token_pair(
    state: SimState,
    client_id: str,
    user_id: str,
    scopes: tuple[str, ...],
    refresh: Token | None,
    keep_until: float | None = None,
) -> httpx.Response:
    access_life, refresh_life = LIFETIMES[state.knobs.tiktok_token_profile]
    access = state.issue_token(
        value="act." + state.random_string(56),
        platform=PLATFORM,
        kind="access",
        client_id=client_id,
        user_id=user_id,
        scopes=scopes,
        lifetime=access_life,
    )
    if refresh is None:
        refresh = state.issue_token(
            value="rft." + state.random_string(56),
            platform=PLATFORM,
            kind="refresh",
            client_id=client_id,
            user_id=user_id,
            scopes=scopes,
            lifetime=refresh_life,
        )
        if keep_until is not None:
            refresh.expires_at = keep_until
    now = state.now()
    assert access.expires_at is not None
    assert refresh.expires_at is not None
    return json_response(
        200,
        {
            "access_token": access.value,
            "expires_in": int(access.expires_at - now),
            "open_id": user_id,
            "refresh_expires_in": int(refresh.expires_at - now),
            "refresh_token": refresh.value,
            "scope": ",".join(scopes),
            "token_type": "Bearer",
        },
    )


def _revoke(state: SimState, request: httpx.Request) -> httpx.Response:
    if not is_form(request):
        return _oauth_error(
            state, "invalid_request", "Content-Type must be application/x-www-form-urlencoded."
        )
    form = form_params(request)
    client = state.client(PLATFORM, form.get("client_key"))
    if client is None or not hmac.compare_digest(form.get("client_secret", ""), client.client_secret):
        return _oauth_error(state, "invalid_client", "Client key or secret is incorrect.")
    token = state.tokens.get(form.get("token", ""))
    # An expired access token is refused like an unknown one (contract 1.4, seen in client code).
    if (
        token is None
        or token.kind != "access"
        or token.client_id != client.client_id
        or token.revoked_reason is not None
        or token.expired(state.now())
    ):
        return _oauth_error(state, "invalid_request", "The token is invalid or has expired.")
    state.revoke_user(PLATFORM, client.client_id, token.user_id, via="oauth/revoke", reason="revoked")
    queue_webhook(state, client.client_id, "authorization.removed", token.user_id, {"reason": 5})
    return json_response(200, {})


# ---- Display API -------------------------------------------------------------------------------


def _envelope(state: SimState, status: int, data: Any, code: str = "ok", message: str = "") -> httpx.Response:
    body = {"data": data, "error": {"code": code, "message": message, "log_id": state.log_id()}}
    return json_response(status, body)


def _api_error(state: SimState, status: int, code: str, message: str) -> httpx.Response:
    return _envelope(state, status, {}, code, message)


def throttled_response(state: SimState, _path: str) -> httpx.Response:
    response = _api_error(state, 429, "rate_limit_exceeded", "API rate limit exceeded, please retry later.")
    if state.knobs.tiktok_send_retry_after and state.knobs.retry_after_seconds is not None:
        response.headers["Retry-After"] = str(state.knobs.retry_after_seconds)
    return response


def server_error_response(state: SimState) -> httpx.Response:
    return _api_error(state, 500, "internal_error", "Something went wrong. Please try again later.")


def _authenticate(
    state: SimState, request: httpx.Request, scope: str, endpoint: str
) -> Token | httpx.Response:
    value = bearer_token(request)
    token = state.tokens.get(value or "")
    if token is None or token.platform != PLATFORM or token.kind != "access" or token.revoked_reason:
        return _api_error(
            state, 401, "access_token_invalid", "The access token is invalid or not found in the request."
        )
    if token.expired(state.now()):
        return _api_error(state, 401, "access_token_invalid", "The access token has expired.")
    if scope not in token.scopes:
        return _api_error(
            state, 401, "scope_not_authorized", f"The user did not authorize the scope {scope}."
        )
    scope_key = token.client_id if state.knobs.tiktok_rate_limit_scope == "app" else token.value
    if state.count_call(f"tiktok:{endpoint}:{scope_key}", 60) > state.knobs.tiktok_rate_limit_per_minute:
        return throttled_response(state, endpoint)
    return token


def _fields(
    state: SimState, request: httpx.Request, allowed: Mapping[str, str] | tuple[str, ...]
) -> list[str] | httpx.Response:
    raw = request.url.params.get("fields")
    if not raw:
        return _api_error(state, 400, "invalid_params", "The fields parameter is required.")
    fields = [f.strip() for f in raw.split(",") if f.strip()]
    unknown = [f for f in fields if f not in allowed]
    if unknown:
        return _api_error(state, 400, "invalid_params", f"Invalid fields: {','.join(unknown)}")
    return fields


def _account(state: SimState, token: Token) -> Account:
    return state.world.accounts[token.user_id]


def _user_info(state: SimState, request: httpx.Request) -> httpx.Response:
    token = _authenticate(state, request, "user.info.basic", "user.info")
    if isinstance(token, httpx.Response):
        return token
    allowed = {
        k: v for k, v in USER_FIELDS.items() if k != "profile_web_link" or state.knobs.tiktok_profile_web_link
    }
    fields = _fields(state, request, allowed)
    if isinstance(fields, httpx.Response):
        return fields
    missing = sorted({USER_FIELDS[f] for f in fields} - set(token.scopes))
    if missing:
        message = f"The fields requested need scopes the user has not granted: {','.join(missing)}"
        return _api_error(state, 400, "scope_permission_missed", message)
    account = _account(state, token)
    now = state.now()
    posts = account.visible_posts(now)
    avatar = f"https://p16-sign.tiktokcdn-sim.example/{account.id}.jpeg?x-expires={int(now) + COVER_TTL}"
    values: dict[str, Any] = {
        "open_id": account.id,
        "union_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"tiktok-union:{account.id}")),
        "avatar_url": avatar,
        "avatar_url_100": avatar + "&s=100",
        "avatar_large_url": avatar + "&s=1080",
        "display_name": account.name,
        "bio_description": account.bio,
        "profile_deep_link": f"https://vm.tiktok.com/sim-{account.handle}/",
        "is_verified": account.followers(now) > 40_000,
        "username": account.handle,
        "profile_web_link": f"https://www.tiktok.com/@{account.handle}",
        "follower_count": account.followers(now),
        "following_count": account.following,
        "likes_count": sum(p.counters(now).likes for p in posts),
        "video_count": len(posts),
    }
    return _envelope(state, 200, {"user": {f: values[f] for f in fields}})


def _video_fields(state: SimState, request: httpx.Request) -> list[str] | httpx.Response:
    allowed = tuple(f for f in VIDEO_FIELDS if f != "is_aigc" or state.knobs.tiktok_video_is_aigc)
    return _fields(state, request, allowed)


def _video(state: SimState, account: Account, post: Post, fields: list[str]) -> dict[str, Any]:
    now = state.now()
    counters = post.counters(now)
    share_url = f"https://www.tiktok.com/@{account.handle}/video/{post.id}"
    values: dict[str, Any] = {
        "id": post.id,
        "create_time": int(post.created_at),
        "cover_image_url": f"{CDN}/{post.id}.jpeg?x-expires={int(now) + COVER_TTL}",
        "share_url": share_url,
        "video_description": post.title,
        "duration": post.duration,
        "height": 1920,
        "width": 1080,
        "title": post.title,
        "embed_html": (
            f'<blockquote class="tiktok-embed" cite="{share_url}" data-video-id="{post.id}"></blockquote>'
        ),
        "embed_link": f"https://www.tiktok.com/player/v1/{post.id}",
        "like_count": counters.likes,
        "comment_count": counters.comments,
        "share_count": counters.shares,
        "view_count": counters.views,
        "is_aigc": False,
    }
    return {f: values[f] for f in fields}


def _video_list(state: SimState, request: httpx.Request) -> httpx.Response:
    token = _authenticate(state, request, "video.list", "video.list")
    if isinstance(token, httpx.Response):
        return token
    fields = _video_fields(state, request)
    if isinstance(fields, httpx.Response):
        return fields
    try:
        body = json_body(request)
    except ValueError:
        return _api_error(state, 400, "invalid_params", "The request body is not valid JSON.")
    if not isinstance(body, dict):
        return _api_error(state, 400, "invalid_params", "The request body must be a JSON object.")
    max_count = body.get("max_count", 10)
    cursor = body.get("cursor")
    if not isinstance(max_count, int) or isinstance(max_count, bool) or not 1 <= max_count <= 20:
        return _api_error(state, 400, "invalid_params", "max_count must be between 1 and 20.")
    if cursor is not None and (not isinstance(cursor, int) or isinstance(cursor, bool) or cursor < 0):
        return _api_error(state, 400, "invalid_params", "cursor must be a Unix time in milliseconds.")
    account = _account(state, token)
    now = state.now()
    before_ms = cursor if cursor is not None else int(now * 1000) + 1
    candidates = [p for p in account.visible_posts(now) if int(p.created_at) * 1000 < before_ms]
    page = candidates[:max_count]
    next_cursor = int(page[-1].created_at) * 1000 if page else before_ms
    data = {
        "videos": [_video(state, account, p, fields) for p in page],
        "cursor": next_cursor,
        "has_more": len(candidates) > len(page),
    }
    return _envelope(state, 200, data)


def _video_query(state: SimState, request: httpx.Request) -> httpx.Response:
    token = _authenticate(state, request, "video.list", "video.query")
    if isinstance(token, httpx.Response):
        return token
    fields = _video_fields(state, request)
    if isinstance(fields, httpx.Response):
        return fields
    try:
        body = json_body(request)
    except ValueError:
        return _api_error(state, 400, "invalid_params", "The request body is not valid JSON.")
    filters = body.get("filters") if isinstance(body, dict) else None
    ids = filters.get("video_ids") if isinstance(filters, dict) else None
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        return _api_error(state, 400, "invalid_params", "filters.video_ids must be a list of video ids.")
    if len(ids) > 20:
        return _api_error(state, 400, "invalid_params", "filters.video_ids can hold at most 20 ids.")
    account = _account(state, token)
    now = state.now()
    own = {p.id: p for p in account.visible_posts(now)}
    videos = [_video(state, account, own[i], fields) for i in ids if i in own]
    return _envelope(state, 200, {"videos": videos, "cursor": 0, "has_more": False})


# ---- webhooks ----------------------------------------------------------------------------------


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},s={mac}"


def queue_webhook(
    state: SimState, client_key: str, event: str, open_id: str, content: dict[str, Any]
) -> None:
    """Prepare a signed delivery; ``GET /_sim/webhooks`` lists it, the caller posts it where it likes."""
    client = state.client(PLATFORM, client_key)
    if client is None:
        return
    now = int(state.now())
    payload = {
        "client_key": client_key,
        "event": event,
        "create_time": now,
        "user_openid": open_id,
        "content": json.dumps(content, separators=(",", ":")),
    }
    body = json.dumps(payload, separators=(",", ":")).encode()
    state.webhooks.append(
        {
            "platform": PLATFORM,
            "url": state.knobs.tiktok_webhook_url,
            "headers": {
                "Content-Type": "application/json",
                "TikTok-Signature": webhook_signature(client.client_secret, now, body),
            },
            "body": body.decode(),
        }
    )
