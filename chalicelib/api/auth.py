"""Sign-in, refresh, sign-out and password reset."""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.api.principal import (
    SESSION_COOKIE,
    cleared_session_cookie,
    cookie_value,
    origin_of,
    session_cookie,
)
from chalicelib.api.routing import ApiBlueprint, json_response
from chalicelib.api.schemas import EMAIL, MEMBER, PASSWORD, TOKEN, obj
from chalicelib.bootstrap import services
from chalicelib.domain.errors import AuthenticationError
from chalicelib.domain.identity import Caller
from chalicelib.domain.permissions import Action
from chalicelib.services.auth import IssuedSession

routes = ApiBlueprint(__name__, tag="auth")

SIGN_IN = obj(
    ["email", "password"],
    {
        "email": EMAIL,
        "password": {"type": "string", "minLength": 1, "maxLength": 256},
        "mode": {"enum": ["token", "cookie"], "description": "token (API clients) or cookie (the web app)"},
    },
)
SESSION = obj(
    ["member"],
    {
        "member": MEMBER,
        "access_token": {"type": "string"},
        "refresh_token": {"type": "string"},
        "token_type": {"const": "Bearer"},
        "expires_in": {"type": "integer"},
    },
    closed=False,
)
REFRESH = obj([], {"refresh_token": TOKEN})


def _session_response(issued: IssuedSession, mode: str, status: int = 200) -> Response:
    if mode == "cookie":
        return json_response(
            {"member": issued.member.as_json()},
            status=status,
            headers={"Set-Cookie": session_cookie(issued.session_token), "Cache-Control": "no-store"},
        )
    return json_response(
        {
            "member": issued.member.as_json(),
            "access_token": issued.access_token.reveal(),
            "refresh_token": issued.session_token.reveal(),
            "token_type": "Bearer",
            "expires_in": issued.expires_in,
        },
        status=status,
        headers={"Cache-Control": "no-store"},
    )


@routes.route(
    "/api/auth/sign-in",
    "POST",
    summary="Sign in with email and password",
    body=SIGN_IN,
    response=SESSION,
    errors=(401, 429),
)
def sign_in(body: dict[str, Any]) -> Response:
    """Token mode returns a 60-minute access token and a rotating refresh token; cookie mode sets the
    session cookie. The same answer whether the email is unknown or the password wrong."""
    issued = services().auth.sign_in(body["email"], body["password"], origin_of(routes.current_request))
    return _session_response(issued, body.get("mode", "token"))


@routes.route(
    "/api/auth/refresh",
    "POST",
    summary="Swap a refresh token (or the session cookie) for new tokens",
    body=REFRESH,
    response=SESSION,
    errors=(401,),
)
def refresh(body: dict[str, Any]) -> Response:
    """Each refresh token works once. Presenting a rotated one ends the whole session."""
    request = routes.current_request
    from_cookie = cookie_value(request.headers.get("cookie", ""), SESSION_COOKIE)
    presented = body.get("refresh_token") or from_cookie
    if not presented:
        raise AuthenticationError("Send a refresh_token, or the session cookie.", code="session_ended")
    issued = services().auth.refresh(presented, origin_of(request))
    return _session_response(issued, "token" if body.get("refresh_token") else "cookie")


@routes.route(
    "/api/auth/sign-out",
    "POST",
    summary="End this session",
    response=None,
    status=204,
    action=Action.ACCOUNT_SELF,
)
def sign_out(caller: Caller) -> Response:
    services().auth.sign_out(caller)
    return Response(body="", status_code=204, headers={"Set-Cookie": cleared_session_cookie()})


@routes.route(
    "/api/auth/password-reset",
    "POST",
    summary="Email a password reset link",
    body=obj(["email"], {"email": EMAIL}),
    response=obj(["message"], {"message": {"type": "string"}}, closed=False),
    status=202,
    errors=(429,),
)
def request_password_reset(body: dict[str, Any]) -> dict[str, str]:
    """Answers the same whether or not the email has an account."""
    services().auth.request_password_reset(body["email"], origin_of(routes.current_request))
    return {"message": "If an account uses this email, a reset link is on its way."}


@routes.route(
    "/api/auth/password-reset/confirm",
    "POST",
    summary="Set a new password with a reset link's token",
    body=obj(["token", "password"], {"token": TOKEN, "password": PASSWORD}),
    response=None,
    status=204,
    errors=(404,),
)
def confirm_password_reset(body: dict[str, Any]) -> None:
    """Signs out every session of the account."""
    services().auth.reset_password(body["token"], body["password"], origin_of(routes.current_request))
