"""Which alerts the signed-in member gets by e-mail."""

from __future__ import annotations

from typing import Any, Final

from chalicelib.api.routing import ApiBlueprint
from chalicelib.api.schemas import obj
from chalicelib.bootstrap import services
from chalicelib.domain.alert_emails import ALERT_KINDS, AlertEmails
from chalicelib.domain.identity import Caller
from chalicelib.domain.permissions import Action

routes = ApiBlueprint(__name__, tag="account")

SWITCHES: Final = obj(list(ALERT_KINDS), {kind: {"type": "boolean"} for kind in ALERT_KINDS})
PREFERENCES: Final = obj(["email"], {"email": SWITCHES})


@routes.route(
    "/api/me/alert-preferences",
    "GET",
    summary="Which alerts I get by e-mail",
    description="In-app alerts reach everyone who can see the account; e-mail only those who opted in.",
    response=PREFERENCES,
    action=Action.ACCOUNT_SELF,
)
def get_alert_preferences(caller: Caller) -> dict[str, Any]:
    return {"email": services().workspace_settings.alert_emails(caller).as_flags()}


@routes.route(
    "/api/me/alert-preferences",
    "PUT",
    summary="Choose which alerts I get by e-mail (all five switches)",
    body=PREFERENCES,
    response=PREFERENCES,
    action=Action.ACCOUNT_SELF,
    errors=(404,),
)
def put_alert_preferences(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    chosen = AlertEmails.from_flags(body["email"])
    return {"email": services().workspace_settings.set_alert_emails(caller, chosen).as_flags()}
