"""GET /api/openapi.json: the API described by its own routes."""

from __future__ import annotations

import functools
from typing import Any

from chalice import Response

from chalicelib.api.routing import ApiBlueprint, json_response

routes = ApiBlueprint(__name__, tag="operations")


@routes.route(
    "/api/openapi.json",
    "GET",
    summary="The OpenAPI 3.1 document of this API",
    response={"type": "object", "required": ["openapi", "paths"]},
)
def openapi_document() -> Response:
    return json_response(_document(), headers={"Cache-Control": "public, max-age=300"})


@functools.cache
def _document() -> dict[str, Any]:
    from chalicelib.api.openapi import build_document
    from chalicelib.api.registry import all_operations

    return build_document(all_operations(), version="1")
