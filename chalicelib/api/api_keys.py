"""API keys of the signed-in member."""

from __future__ import annotations

from typing import Any

from chalicelib.api.routing import ApiBlueprint
from chalicelib.api.schemas import ACTION, API_KEY, NAME, list_of, obj
from chalicelib.bootstrap import services
from chalicelib.domain.identity import Caller
from chalicelib.domain.permissions import Action

routes = ApiBlueprint(__name__, tag="api keys")

CREATED = obj(["key", "api_key"], {"key": {"type": "string"}, "api_key": API_KEY}, closed=False)


@routes.route(
    "/api/api-keys", "GET", summary="My API keys", response=list_of(API_KEY), action=Action.API_KEYS_MANAGE
)
def list_api_keys(caller: Caller) -> dict[str, Any]:
    return {"items": [key.as_json() for key in services().api_keys.list(caller)]}


@routes.route(
    "/api/api-keys",
    "POST",
    summary="Create an API key (its value is shown only in this response)",
    body=obj(
        ["name", "scopes"],
        {
            "name": NAME,
            "scopes": {"type": "array", "items": ACTION, "minItems": 1, "uniqueItems": True},
        },
    ),
    response=CREATED,
    status=201,
    action=Action.API_KEYS_MANAGE,
)
def create_api_key(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    key, value = services().api_keys.create(
        caller, body["name"], frozenset(Action(s) for s in body["scopes"])
    )
    return {"key": value.reveal(), "api_key": key.as_json()}


@routes.route(
    "/api/api-keys/{key_id}",
    "DELETE",
    summary="Revoke one of my API keys",
    response=None,
    status=204,
    action=Action.API_KEYS_MANAGE,
    errors=(404,),
)
def revoke_api_key(caller: Caller, key_id: str) -> None:
    services().api_keys.revoke(caller, key_id)
