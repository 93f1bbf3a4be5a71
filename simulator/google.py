"""Google OAuth 2.0 for web-server apps: consent page, token, refresh, revoke (platforms/youtube.md §1)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import string
from collections.abc import Mapping
from typing import Any

import httpx

from simulator.consent import AuthorizeSpec, Grant, error_page, run_authorize
from simulator.responses import form_params, is_form, json_response, query_params
from simulator.state import AuthCode, SimState

__all__ = [
    "SCOPE_PREFIX",
    "google_error",
    "handle_auth",
    "handle_token",
    "server_error_response",
    "throttled_response",
]

PLATFORM = "google"
SCOPE_PREFIX = "https://www.googleapis.com/auth/"
SCOPES = (
    *tuple(
        SCOPE_PREFIX + s
        for s in (
            "youtube.readonly",
            "yt-analytics.readonly",
            "youtube.force-ssl",
            "youtube",
            "yt-analytics-monetary.readonly",
            "youtubepartner",
            "youtube.upload",
            "userinfo.email",
            "userinfo.profile",
        )
    ),
    "openid",
    "email",
    "profile",
)
ACCESS_LIFETIME = 3_599
VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
URLSAFE = string.ascii_letters + string.digits + "-_"


# ---- consent page (accounts.google.com) --------------------------------------------------------


def handle_auth(state: SimState, request: httpx.Request, path: str) -> httpx.Response:
    if path.rstrip("/") in ("/o/oauth2/v2/auth", "/o/oauth2/auth"):
        return run_authorize(state, request, AUTHORIZE)
    return error_page(404, "Google", "not_found", "The requested URL was not found on this server.")


def _requested(params: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(params.get("scope", "").split()))


def _validate(state: SimState, params: Mapping[str, str]) -> httpx.Response | None:
    client = state.client(PLATFORM, params.get("client_id"))
    if client is None:
        return error_page(401, "Google", "invalid_client", "The OAuth client was not found.")
    if not client.accepts_redirect(params.get("redirect_uri", "")):
        return error_page(
            400,
            "Google",
            "redirect_uri_mismatch",
            "You can't sign in to this app because it doesn't comply with "
            "Google's OAuth 2.0 policy. redirect_uri is not registered for this client.",
        )
    if params.get("response_type") != "code":
        return error_page(
            400, "Google", "unsupported_response_type", "Invalid response_type: it must be code."
        )
    scopes = _requested(params)
    if not scopes:
        return error_page(400, "Google", "invalid_request", "Missing required parameter: scope")
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        return error_page(
            400, "Google", "invalid_scope", f"Some requested scopes were invalid. {{invalid={unknown}}}"
        )
    if params.get("access_type", "online") not in ("online", "offline"):
        return error_page(
            400, "Google", "invalid_request", "Invalid access_type: it must be online or offline."
        )
    challenge = params.get("code_challenge")
    method = params.get("code_challenge_method", "plain" if challenge else None)
    if method is not None and (method not in ("S256", "plain") or challenge is None):
        return error_page(
            400, "Google", "invalid_request", "Invalid code_challenge_method or missing code_challenge."
        )
    if challenge is not None and not VERIFIER.match(challenge):
        return error_page(400, "Google", "invalid_request", "Invalid code_challenge.")
    return None


def _approve(state: SimState, grant: Grant) -> dict[str, str]:
    params = grant.params
    key = (PLATFORM, params["client_id"], grant.login.user_id)
    earlier = state.grants.get(key)
    first_consent = earlier is None
    scopes = grant.scopes
    if params.get("include_granted_scopes") == "true" and earlier:
        scopes = tuple(dict.fromkeys((*sorted(earlier), *scopes)))
    state.grants[key] = (earlier or set()) | set(scopes)
    offline = params.get("access_type") == "offline" and (
        first_consent or "consent" in params.get("prompt", "").split()
    )
    challenge = params.get("code_challenge")
    code = state.issue_code(
        AuthCode(
            value="4/0A" + state.random_string(70, URLSAFE),
            platform=PLATFORM,
            client_id=params["client_id"],
            user_id=grant.login.user_id,
            redirect_uri=params["redirect_uri"],
            scopes=scopes,
            expires_at=state.now() + state.knobs.google_code_ttl_seconds,
            code_challenge=challenge,
            code_challenge_method=params.get("code_challenge_method", "plain") if challenge else None,
            extra={"refresh": "1" if offline else ""},
        )
    )
    out = {"state": params["state"]} if "state" in params else {}
    return out | {"code": code.value, "scope": " ".join(scopes), "authuser": "0", "prompt": "consent"}


def _denial(params: Mapping[str, str]) -> dict[str, str]:
    out = {"error": "access_denied"}
    if "state" in params:
        out["state"] = params["state"]
    return out


AUTHORIZE = AuthorizeSpec(
    platform=PLATFORM,
    brand="Google",
    login_platform=PLATFORM,
    validate=_validate,
    requested_scopes=_requested,
    approve=_approve,
    denial=_denial,
    hint_param="login_hint",
)


# ---- oauth2.googleapis.com ---------------------------------------------------------------------


def google_error(
    status: int,
    message: str,
    reason: str,
    domain: str = "global",
    status_text: str | None = None,
    **extra: Any,
) -> httpx.Response:
    """The Google API error envelope (``error.code/message/errors[]/status``)."""
    item: dict[str, Any] = {"message": message, "domain": domain, "reason": reason, **extra}
    error: dict[str, Any] = {"code": status, "message": message, "errors": [item]}
    if status_text:
        error["status"] = status_text
    return json_response(status, {"error": error})


def throttled_response(state: SimState, path: str) -> httpx.Response:
    if path in ("/token", "/revoke", "/tokeninfo"):
        response = _oauth_error(429, "rate_limit_exceeded", "Rate limit exceeded. Try again later.")
    else:
        response = google_error(
            429, "Rate Limit Exceeded", "rateLimitExceeded", "usageLimits", "RESOURCE_EXHAUSTED"
        )
    if state.knobs.retry_after_seconds is not None:
        response.headers["Retry-After"] = str(state.knobs.retry_after_seconds)
    return response


def server_error_response(_state: SimState) -> httpx.Response:
    return google_error(503, "The service is currently unavailable.", "backendError", "global", "UNAVAILABLE")


def _oauth_error(status: int, error: str, description: str) -> httpx.Response:
    return json_response(status, {"error": error, "error_description": description})


def handle_token(state: SimState, request: httpx.Request, path: str) -> httpx.Response:
    if path == "/token" and request.method == "POST":
        return _token(state, request)
    if path == "/revoke" and request.method == "POST":
        return _revoke(state, request)
    if path == "/tokeninfo":
        return _tokeninfo(state, request)
    return _oauth_error(404, "not_found", f"No endpoint {request.method} {path}")


def _client_credentials(request: httpx.Request, form: Mapping[str, str]) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:]).decode()
        except (ValueError, UnicodeDecodeError):
            return "", ""
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return form.get("client_id", ""), form.get("client_secret", "")


def _token(state: SimState, request: httpx.Request) -> httpx.Response:
    if not is_form(request):
        return _oauth_error(
            400, "invalid_request", "Invalid Content-Type: use application/x-www-form-urlencoded"
        )
    form = form_params(request)
    client_id, secret = _client_credentials(request, form)
    client = state.client(PLATFORM, client_id)
    if client is None:
        return _oauth_error(401, "invalid_client", "The OAuth client was not found.")
    if not hmac.compare_digest(secret, client.client_secret):
        return _oauth_error(401, "invalid_client", "Unauthorized")
    grant_type = form.get("grant_type")
    if grant_type == "authorization_code":
        return _exchange(state, form, client.client_id)
    if grant_type == "refresh_token":
        return _refresh(state, form, client.client_id)
    if not grant_type:
        return _oauth_error(400, "invalid_request", "Missing required parameter: grant_type")
    return _oauth_error(400, "unsupported_grant_type", f"Invalid grant_type: {grant_type}")


def _exchange(state: SimState, form: Mapping[str, str], client_id: str) -> httpx.Response:
    if "code" not in form:
        return _oauth_error(400, "invalid_request", "Missing required parameter: code")
    code = state.codes.get(form["code"])
    if code is None or code.platform != PLATFORM or code.client_id != client_id or code.used:
        return _oauth_error(400, "invalid_grant", "Bad Request")
    if state.now() >= code.expires_at:
        return _oauth_error(400, "invalid_grant", "Bad Request")
    if form.get("redirect_uri") != code.redirect_uri:
        return _oauth_error(400, "redirect_uri_mismatch", "Bad Request")
    if code.code_challenge is not None:
        verifier = form.get("code_verifier")
        if not verifier:
            return _oauth_error(400, "invalid_grant", "Missing code verifier.")
        if code.code_challenge_method == "S256":
            digest = hashlib.sha256(verifier.encode()).digest()
            expected = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        else:
            expected = verifier
        if not hmac.compare_digest(expected, code.code_challenge):
            return _oauth_error(400, "invalid_grant", "Invalid code verifier.")
    code.used = True
    body = _access(state, client_id, code.user_id, code.scopes)
    if code.extra.get("refresh"):
        refresh_life = state.knobs.google_refresh_token_expires_in
        refresh = state.issue_token(
            value="1//0" + state.random_string(100, URLSAFE),
            platform=PLATFORM,
            kind="refresh",
            client_id=client_id,
            user_id=code.user_id,
            scopes=code.scopes,
            lifetime=refresh_life,
        )
        body["refresh_token"] = refresh.value
        if refresh_life is not None:
            body["refresh_token_expires_in"] = refresh_life
    return json_response(200, body)


def _access(state: SimState, client_id: str, user_id: str, scopes: tuple[str, ...]) -> dict[str, Any]:
    token = state.issue_token(
        value="ya29.a0" + state.random_string(150, URLSAFE),
        platform=PLATFORM,
        kind="access",
        client_id=client_id,
        user_id=user_id,
        scopes=scopes,
        lifetime=ACCESS_LIFETIME,
    )
    assert token.expires_at is not None
    return {
        "access_token": token.value,
        "expires_in": int(token.expires_at - state.now()),
        "scope": " ".join(scopes),
        "token_type": "Bearer",
    }


def _refresh(state: SimState, form: Mapping[str, str], client_id: str) -> httpx.Response:
    if "refresh_token" not in form:
        return _oauth_error(400, "invalid_request", "Missing required parameter: refresh_token")
    token = state.tokens.get(form["refresh_token"])
    if (
        token is None
        or token.platform != PLATFORM
        or token.kind != "refresh"
        or token.client_id != client_id
        or token.revoked_reason is not None
        or token.expired(state.now())
    ):
        return _oauth_error(400, "invalid_grant", "Token has been expired or revoked.")
    body = _access(state, client_id, token.user_id, token.scopes)
    if token.expires_at is not None:
        body["refresh_token_expires_in"] = int(token.expires_at - state.now())
    return json_response(200, body)


def _revoke(state: SimState, request: httpx.Request) -> httpx.Response:
    value = request.url.params.get("token") or form_params(request).get("token", "")
    token = state.tokens.get(value)
    if (
        token is None
        or token.platform != PLATFORM
        or token.revoked_reason is not None
        or token.expired(state.now())
    ):
        return _oauth_error(400, "invalid_token", "Token expired or revoked")
    state.revoke_user(PLATFORM, token.client_id, token.user_id, via="oauth2/revoke", reason="revoked")
    return json_response(200, {})


def _tokeninfo(state: SimState, request: httpx.Request) -> httpx.Response:
    params = {**query_params(request), **form_params(request)}
    token = state.tokens.get(params.get("access_token", ""))
    now = state.now()
    if (
        token is None
        or token.kind != "access"
        or token.platform != PLATFORM
        or token.revoked_reason
        or token.expired(now)
    ):
        return _oauth_error(400, "invalid_token", "Invalid Value")
    assert token.expires_at is not None
    return json_response(
        200,
        {
            "azp": token.client_id,
            "aud": token.client_id,
            "sub": token.user_id,
            "scope": " ".join(token.scopes),
            "exp": str(int(token.expires_at)),
            "expires_in": str(int(token.expires_at - now)),
            "access_type": "offline",
        },
    )
