"""The consent page shared by every platform: a small, accessible HTML form, then a redirect.

A platform describes its authorize endpoint with an :class:`AuthorizeSpec`; :func:`run_authorize`
validates, shows the page (GET), reads the decision (POST, or at once with the ``auto_approve`` knob)
and redirects to the client's ``redirect_uri`` with the platform's own success or denial parameters.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable, Mapping

import httpx

from simulator.responses import form_multi, form_params, html_response, query_params, redirect_response
from simulator.seed import Login
from simulator.state import SimState

__all__ = ["AuthorizeSpec", "Grant", "error_page", "run_authorize"]


@dataclasses.dataclass(frozen=True)
class Grant:
    """What the user agreed to on the consent page."""

    login: Login
    scopes: tuple[str, ...]
    params: Mapping[str, str]


@dataclasses.dataclass(frozen=True)
class AuthorizeSpec:
    """How one platform's authorize endpoint behaves.

    ``validate`` returns an error response (an error page, or a redirect carrying an error) or None.
    ``approve`` issues the code for a grant and returns the callback parameters.
    """

    platform: str
    brand: str
    login_platform: str
    validate: Callable[[SimState, Mapping[str, str]], httpx.Response | None]
    requested_scopes: Callable[[Mapping[str, str]], tuple[str, ...]]
    approve: Callable[[SimState, Grant], dict[str, str]]
    denial: Callable[[Mapping[str, str]], dict[str, str]]
    client_id_param: str = "client_id"
    locked_scopes: tuple[str, ...] = ()
    hint_param: str | None = None
    fragment: str = ""


def run_authorize(state: SimState, request: httpx.Request, spec: AuthorizeSpec) -> httpx.Response:
    params = {**query_params(request), **form_params(request)}
    if request.method not in ("GET", "POST"):
        return error_page(405, spec.brand, "method_not_allowed", "Use GET to open the consent page.")
    problem = spec.validate(state, params)
    if problem is not None:
        return problem
    users = state.world.logins_for(spec.login_platform)
    requested = spec.requested_scopes(params)
    redirect_uri = params["redirect_uri"]
    if request.method == "POST":
        if params.get("decision") != "approve":
            return redirect_response(redirect_uri, spec.denial(params), spec.fragment)
        chosen = state.world.login(spec.login_platform, params.get("sim_user", "")) or users[0]
        ticked = {value for key, value in form_multi(request) if key == "sim_scope"}
        granted = tuple(s for s in requested if s in ticked or s in spec.locked_scopes)
        grant = Grant(chosen, granted, params)
        return redirect_response(redirect_uri, spec.approve(state, grant), spec.fragment)
    hint = params.get(spec.hint_param) if spec.hint_param else None
    default = (
        state.world.find_login(spec.login_platform, state.knobs.next_user)
        or state.world.find_login(spec.login_platform, hint)
        or users[0]
    )
    if state.knobs.auto_approve:
        grant = Grant(default, requested, params)
        return redirect_response(redirect_uri, spec.approve(state, grant), spec.fragment)
    client = state.client(spec.platform, params.get(spec.client_id_param))
    app_name = client.name if client else "Unknown app"
    return html_response(200, _page(spec, app_name, request.url.path, params, requested, users, default))


def error_page(status: int, brand: str, code: str, message: str) -> httpx.Response:
    """The platform's own error page: shown instead of redirecting to an unverified redirect URI."""
    body = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(brand)} — error"
        f"</title></head><body><main><h1>Error {status}: {html.escape(code)}</h1>"
        f"<p role='alert'>{html.escape(message)}</p></main></body></html>"
    )
    return html_response(status, body)


def _page(
    spec: AuthorizeSpec,
    app_name: str,
    action: str,
    params: Mapping[str, str],
    scopes: tuple[str, ...],
    users: list[Login],
    default: Login,
) -> str:
    esc = html.escape
    hidden = "".join(
        f"<input type='hidden' name='{esc(k)}' value='{esc(v)}'>"
        for k, v in params.items()
        if not k.startswith("sim_") and k != "decision"
    )
    boxes = "".join(
        f"<li><label><input type='checkbox' name='sim_scope' value='{esc(s)}' checked"
        f"{' disabled' if s in spec.locked_scopes else ''}> {esc(s)}</label></li>"
        for s in scopes
    )
    options = "".join(
        f"<option value='{esc(u.user_id)}'{' selected' if u.user_id == default.user_id else ''}>"
        f"{esc(u.name)} ({esc(u.email)})</option>"
        for u in users
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{esc(spec.brand)} — authorize {esc(app_name)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}"
        "button{font-size:1rem;padding:.5rem 1rem;margin-right:.5rem}fieldset{margin:1rem 0}</style>"
        "</head><body><main>"
        f"<h1>{esc(app_name)} wants to access your {esc(spec.brand)} account</h1>"
        f"<form method='post' action='{esc(action)}'>{hidden}"
        "<label for='sim_user'>Sign in as</label> "
        f"<select id='sim_user' name='sim_user'>{options}</select>"
        f"<fieldset><legend>Permissions requested</legend><ul>{boxes}</ul></fieldset>"
        "<button type='submit' name='decision' value='approve'>Approve</button>"
        "<button type='submit' name='decision' value='deny'>Deny</button>"
        "</form></main></body></html>"
    )
