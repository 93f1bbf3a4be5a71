"""Connected accounts: list, connect (start, callback, Meta's account choice), reconnect, disconnect."""

from __future__ import annotations

import html
from typing import Any, Final

from chalice import Response

from chalicelib.api.pages import html_page
from chalicelib.api.principal import cookie_value
from chalicelib.api.routing import ApiBlueprint, json_response
from chalicelib.api.schemas import NULLABLE_TIMESTAMP, TIMESTAMP, list_of, obj
from chalicelib.bootstrap import services
from chalicelib.domain.connections import CONNECT_STATE_LIFETIME, CallbackFailure
from chalicelib.domain.identity import Caller
from chalicelib.domain.permissions import Action
from chalicelib.domain.platforms import Platform
from chalicelib.security.secret import Secret
from chalicelib.services.connections import CallbackOutcome, ConnectStart

routes = ApiBlueprint(__name__, tag="connections")

HTML: Final = "text/html"
# Binds a callback to the browser that started the connect. Lax, not Strict: it must ride the
# platform's top-level redirect back to the callback; sent to the OAuth paths only.
CONNECT_COOKIE: Final = "cd_connect"
CONNECT_COOKIE_PATH: Final = "/api/oauth/"
START_DESCRIPTION: Final = (
    "Also sets the `cd_connect` cookie (HttpOnly, Secure, SameSite=Lax, Path=/api/oauth/, 10 minutes): "
    "the callback finishes only in the browser that carries it, so a consent link sent to someone "
    "else connects nothing. A script must send that cookie with the callback."
)
PLATFORM_NAMES: Final = {
    Platform.TIKTOK: "TikTok",
    Platform.INSTAGRAM: "Instagram",
    Platform.FACEBOOK: "Facebook",
    Platform.THREADS: "Threads",
    Platform.YOUTUBE: "YouTube",
}
# Meta's account choice: posts the ticked accounts with the session cookie (the page's only script).
CHOICE_SCRIPT: Final = (
    "document.getElementById('choose').addEventListener('submit',async(e)=>{"
    "e.preventDefault();const f=e.target;const ids=[...f.querySelectorAll('input:checked')]"
    ".map(i=>i.value);const r=await fetch('/api/connections/pending/'+f.dataset.pending,"
    "{method:'POST',credentials:'same-origin',headers:{'Content-Type':'application/json'},"
    "body:JSON.stringify({account_ids:ids})});document.getElementById('result').textContent="
    "r.ok?'Connected. You can close this window.':'Nothing was connected; start again.';});"
)
CONNECTION: Final = obj(
    [
        "id",
        "platform",
        "account_id",
        "account_name",
        "status",
        "needs_reauth",
        "granted_scopes",
        "connected_at",
        "last_sync_at",
    ],
    {
        "id": {"type": "string"},
        "platform": {"enum": [p.value for p in Platform]},
        "account_id": {"type": "string"},
        "account_name": {"type": "string"},
        "owner_member_id": {"type": "string"},
        "status": {"enum": ["active", "needs_reauth", "disconnected"]},
        "needs_reauth": {"type": "boolean"},
        "granted_scopes": {"type": "array", "items": {"type": "string"}},
        "missing_scopes": {"type": "array", "items": {"type": "string"}},
        "connected_at": TIMESTAMP,
        "refreshed_at": NULLABLE_TIMESTAMP,
        "last_sync_at": NULLABLE_TIMESTAMP,
    },
    closed=False,
)
AUTHORIZATION: Final = obj(["authorization_url"], {"authorization_url": {"type": "string"}}, closed=False)
CHOICE: Final = obj(
    ["id", "platform", "accounts", "expires_at"],
    {
        "id": {"type": "string"},
        "platform": {"enum": [p.value for p in Platform]},
        "accounts": {
            "type": "array",
            "items": obj(
                ["id", "name"], {"id": {"type": "string"}, "name": {"type": "string"}}, closed=False
            ),
        },
        "expires_at": TIMESTAMP,
    },
    closed=False,
)
ACCOUNT_IDS: Final = obj(
    ["account_ids"],
    {
        "account_ids": {
            "type": "array",
            "minItems": 1,
            "maxItems": 50,
            "items": {"type": "string", "minLength": 1, "maxLength": 64},
        }
    },
)

# The callback's statuses: each failure a person can act on, on its own page.
FAILURE_STATUS: Final = {
    CallbackFailure.UNKNOWN_PLATFORM: 404,
    CallbackFailure.INVALID_STATE: 400,
    CallbackFailure.OTHER_BROWSER: 403,
    CallbackFailure.REDIRECT_MISMATCH: 400,
    CallbackFailure.USED_STATE: 409,
    CallbackFailure.EXPIRED_STATE: 410,
    CallbackFailure.DENIED: 400,
    CallbackFailure.PARTIAL: 400,
    CallbackFailure.NO_ACCOUNTS: 400,
    CallbackFailure.NO_CHANNEL: 400,
    CallbackFailure.PLATFORM_BUSY: 503,
    CallbackFailure.PLATFORM_ERROR: 502,
}
FAILURE_TEXT: Final = {
    CallbackFailure.UNKNOWN_PLATFORM: ("Unknown platform", "CreatorDeck cannot connect to this platform."),
    CallbackFailure.INVALID_STATE: (
        "This link is not valid",
        "This sign-in link was not started from CreatorDeck. Start connecting again from CreatorDeck.",
    ),
    CallbackFailure.OTHER_BROWSER: (
        "Start again in this browser",
        "This sign-in was not started in this browser, so nothing was connected. Start connecting "
        "again from CreatorDeck in this browser.",
    ),
    CallbackFailure.REDIRECT_MISMATCH: (
        "This link is not valid",
        "The platform sent you back to the wrong place. Start connecting again from CreatorDeck.",
    ),
    CallbackFailure.USED_STATE: (
        "Already used",
        "This sign-in link was already used. If your account is not listed, start connecting again.",
    ),
    CallbackFailure.EXPIRED_STATE: (
        "Too late",
        "Connecting must be finished within 10 minutes. Start connecting again from CreatorDeck.",
    ),
    CallbackFailure.DENIED: (
        "Nothing was connected",
        "You did not allow CreatorDeck to access your account. Connect again whenever you like.",
    ),
    CallbackFailure.PARTIAL: (
        "Some permissions are missing",
        "CreatorDeck needs every permission it asked for to show your statistics. Connect again and "
        "keep all of them ticked.",
    ),
    CallbackFailure.NO_ACCOUNTS: (
        "No account to connect",
        "This login manages no Page or Instagram professional account CreatorDeck can connect.",
    ),
    CallbackFailure.NO_CHANNEL: (
        "No YouTube channel",
        "This Google account has no YouTube channel. Create one on YouTube, or sign in with the "
        "account that owns the channel, then connect again.",
    ),
    CallbackFailure.PLATFORM_BUSY: (
        "The platform is busy",
        "The platform did not answer in time. Nothing was connected; try again in a few minutes.",
    ),
    CallbackFailure.PLATFORM_ERROR: (
        "The platform refused",
        "The platform refused to finish connecting. Start connecting again from CreatorDeck.",
    ),
}


@routes.route(
    "/api/connections",
    "GET",
    summary="Connected accounts (a creator sees their own)",
    response=list_of(CONNECTION),
    action=Action.CONNECTIONS_READ,
)
def list_connections(caller: Caller) -> dict[str, Any]:
    return {"items": [c.as_json() for c in services().connections.list(caller)]}


@routes.route(
    "/api/oauth/{platform}/start",
    "POST",
    summary="Start connecting an account: where to send the browser for consent",
    response=AUTHORIZATION,
    action=Action.CONNECTIONS_MANAGE,
    errors=(404,),
    description=START_DESCRIPTION,
)
def start_connection(caller: Caller, platform: str) -> Response:
    return _started(services().connections.start(caller, platform))


@routes.route(
    "/api/connections/{connection_id}/reconnect",
    "POST",
    summary="Reconnect an account (e.g. one that needs re-authorization)",
    response=AUTHORIZATION,
    action=Action.CONNECTIONS_MANAGE,
    errors=(404,),
    description=START_DESCRIPTION,
)
def reconnect_connection(caller: Caller, connection_id: str) -> Response:
    return _started(services().connections.reconnect(caller, connection_id))


@routes.route(
    "/api/connections/{connection_id}",
    "DELETE",
    summary="Disconnect an account: revoke at the platform, delete its tokens, stop its syncs",
    response=None,
    status=204,
    action=Action.CONNECTIONS_MANAGE,
    errors=(404,),
)
def disconnect_connection(caller: Caller, connection_id: str) -> None:
    services().connections.disconnect(caller, connection_id)


@routes.route(
    "/api/connections/pending/{pending_id}",
    "GET",
    summary="The accounts offered by a Meta login, to choose from",
    response=CHOICE,
    action=Action.CONNECTIONS_MANAGE,
    errors=(404,),
)
def get_pending_choice(caller: Caller, pending_id: str) -> dict[str, Any]:
    return services().connections.pending(caller, pending_id).as_json()


@routes.route(
    "/api/connections/pending/{pending_id}",
    "POST",
    summary="Connect the chosen Pages / Instagram accounts of a Meta login",
    body=ACCOUNT_IDS,
    response=list_of(CONNECTION),
    status=201,
    action=Action.CONNECTIONS_MANAGE,
    errors=(404, 409),
)
def choose_accounts(caller: Caller, pending_id: str, body: dict[str, Any]) -> dict[str, Any]:
    connections = services().connections.choose(caller, pending_id, body["account_ids"])
    return {"items": [c.as_json() for c in connections]}


@routes.route(
    "/api/oauth/{platform}/callback",
    "GET",
    summary="Where the platform sends the browser back after consent (checked by its state)",
    response={"type": "string"},
    response_content_type=HTML,
    errors=tuple(sorted(set(FAILURE_STATUS.values()))),
    description=(
        "Public: the single-use `state` the start call issued identifies the member, and the "
        "`cd_connect` cookie the start call set must come with it (403 otherwise). Takes the "
        "platform's own query parameters (`code`, `state`, `scope(s)`, `error`...). Answers a small "
        "HTML page: connected, a choice of accounts (Meta), or what went wrong."
    ),
)
def oauth_callback(platform: str) -> Response:
    request = routes.current_request
    params = {key: str(value) for key, value in (request.query_params or {}).items()}
    key = cookie_value(request.headers.get("cookie", ""), CONNECT_COOKIE)
    outcome = services().connections.callback(platform, params, Secret(key) if key else None)
    page = _page(outcome)
    if outcome.failure is None:
        page.headers["Set-Cookie"] = _connect_cookie("", 0)  # used up with its state
    return page


def _started(started: ConnectStart) -> Response:
    lifetime = int(CONNECT_STATE_LIFETIME.total_seconds())
    return json_response(
        {"authorization_url": started.authorization_url},
        headers={
            "Set-Cookie": _connect_cookie(started.browser_key.reveal(), lifetime),
            "Cache-Control": "no-store",
        },
    )


def _connect_cookie(value: str, max_age: int) -> str:
    return (
        f"{CONNECT_COOKIE}={value}; Max-Age={max_age}; Path={CONNECT_COOKIE_PATH}; Secure; HttpOnly; "
        "SameSite=Lax"
    )


def _page(outcome: CallbackOutcome) -> Response:
    name = PLATFORM_NAMES.get(outcome.platform, "the platform") if outcome.platform else "the platform"
    if outcome.failure is not None:
        title, message = FAILURE_TEXT[outcome.failure]
        extra = ""
        if outcome.missing_scopes:
            extra = "<p>Missing: " + ", ".join(html.escape(s) for s in outcome.missing_scopes) + "</p>"
        body = f"<h1>{html.escape(title)}</h1><p role='alert' data-code='{outcome.failure.value}'>" + (
            f"{html.escape(message)}</p>{extra}"
        )
        return html_page(FAILURE_STATUS[outcome.failure], f"{title} — CreatorDeck", body)
    if outcome.choice is not None:
        choice = outcome.choice
        boxes = "".join(
            f"<li><label><input type='checkbox' name='account' value='{html.escape(a.account_id)}' checked> "
            f"{html.escape(a.name)}</label></li>"
            for a in choice.accounts
        )
        body = (
            f"<h1>Which {html.escape(name)} accounts?</h1>"
            f"<form id='choose' data-pending='{html.escape(choice.id)}'><ul>{boxes}</ul>"
            "<button type='submit'>Connect</button></form><p id='result' role='status'></p>"
        )
        return html_page(200, "Choose accounts — CreatorDeck", body, script=CHOICE_SCRIPT)
    names = ", ".join(html.escape(c.account_name) for c in outcome.connections)
    body = (
        f"<h1>Connected</h1><p role='status' data-code='connected'>{names} on {html.escape(name)} "
        "is connected. Its history is being collected now.</p>"
        "<p><a href='/connections'>Back to CreatorDeck</a></p>"
    )
    return html_page(200, "Connected — CreatorDeck", body)
