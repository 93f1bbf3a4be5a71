"""Callbacks from the platforms: Meta's (and Threads') data deletion and deauthorize, TikTok's webhook.

Public routes: each proves its origin by signature instead (verified on the raw body before any
parsing). A request that cannot be verified gets one generic 400 ``invalid_signature``.
"""

from __future__ import annotations

from typing import Any, Final

from chalicelib.api.routing import ApiBlueprint
from chalicelib.api.schemas import obj
from chalicelib.bootstrap import services
from chalicelib.domain.privacy import MetaApp

routes = ApiBlueprint(__name__, tag="webhooks")

FORM: Final = "application/x-www-form-urlencoded"
DELETION_ANSWER: Final = obj(
    ["url", "confirmation_code"],
    {"url": {"type": "string"}, "confirmation_code": {"type": "string", "pattern": "^[A-Z0-9]+$"}},
)
SIGNED_REQUEST_NOTE: Final = (
    "Form field `signed_request`: base64url(HMAC-SHA256 of the payload segment, keyed with the app "
    "secret) `.` base64url(JSON payload with `algorithm`, `issued_at`, `user_id`)."
)


def _raw_body() -> bytes:
    raw = routes.current_request.raw_body or b""
    return raw.encode() if isinstance(raw, str) else raw


@routes.route(
    "/api/webhooks/meta/data-deletion",
    "POST",
    summary="Meta's data-deletion request callback (Facebook, Instagram)",
    response=DELETION_ANSWER,
    content_types=(FORM,),
    errors=(400, 415),
    description=SIGNED_REQUEST_NOTE,
)
def meta_data_deletion() -> dict[str, Any]:
    return services().privacy.meta_data_deletion(MetaApp.META, _raw_body())


@routes.route(
    "/api/webhooks/meta/deauthorize",
    "POST",
    summary="Meta's deauthorize callback: the person removed the app",
    response=None,
    content_types=(FORM,),
    errors=(400, 415),
    description=SIGNED_REQUEST_NOTE,
)
def meta_deauthorize() -> None:
    services().privacy.meta_deauthorize(MetaApp.META, _raw_body())


@routes.route(
    "/api/webhooks/threads/data-deletion",
    "POST",
    summary="Threads' data-deletion request callback",
    response=DELETION_ANSWER,
    content_types=(FORM,),
    errors=(400, 415),
    description=SIGNED_REQUEST_NOTE + " Signed with the Threads app secret.",
)
def threads_data_deletion() -> dict[str, Any]:
    return services().privacy.meta_data_deletion(MetaApp.THREADS, _raw_body())


@routes.route(
    "/api/webhooks/threads/deauthorize",
    "POST",
    summary="Threads' uninstall callback: the person removed the app",
    response=None,
    content_types=(FORM,),
    errors=(400, 415),
    description=SIGNED_REQUEST_NOTE + " Signed with the Threads app secret.",
)
def threads_deauthorize() -> None:
    services().privacy.meta_deauthorize(MetaApp.THREADS, _raw_body())


@routes.route(
    "/api/webhooks/tiktok",
    "POST",
    summary="TikTok's webhook (authorization.removed, publish status events)",
    response=None,
    errors=(400,),
    description=(
        "Header `TikTok-Signature: t=<unix>,s=<hex HMAC-SHA256 of t.raw body with the client secret>`; "
        "older than 5 minutes or already seen: acknowledged without effect (replays) or refused (stale)."
    ),
)
def tiktok_webhook() -> None:
    request = routes.current_request
    services().privacy.tiktok_webhook(_raw_body(), request.headers.get("tiktok-signature"))
