"""Credentials on a request, the session cookie, and the caller they identify."""

from __future__ import annotations

from typing import Final

from chalice.app import Request

from chalicelib.bootstrap import services
from chalicelib.domain.identity import Caller, Origin
from chalicelib.security.secret import Secret
from chalicelib.services.auth import SESSION_LIFETIME, Credential, CredentialKind

SESSION_COOKIE: Final = "cd_session"


def origin_of(request: Request) -> Origin:
    identity = (request.context or {}).get("identity") or {}
    return Origin(
        ip=str(identity.get("sourceIp") or ""), user_agent=str(request.headers.get("user-agent", ""))[:256]
    )


def credential_of(request: Request) -> Credential | None:
    authorization = request.headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return Credential(CredentialKind.BEARER, Secret(value.strip()))
    cookie = cookie_value(request.headers.get("cookie", ""), SESSION_COOKIE)
    if cookie:
        return Credential(CredentialKind.COOKIE, Secret(cookie))
    return None


def authenticate(request: Request) -> Caller:
    return services().auth.authenticate(credential_of(request), origin_of(request))


def cookie_value(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return value
    return None


def session_cookie(token: Secret) -> str:
    lifetime = int(SESSION_LIFETIME.total_seconds())
    return f"{SESSION_COOKIE}={token.reveal()}; Max-Age={lifetime}; Path=/; Secure; HttpOnly; SameSite=Strict"


def cleared_session_cookie() -> str:
    return f"{SESSION_COOKIE}=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Strict"
