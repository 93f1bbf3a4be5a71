"""OpenAPI 3.1 document generated from the declared operations."""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from typing import Any, Final

from chalicelib.api.routing import JSON, Operation

ERROR_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "request_id"],
            "properties": {
                "code": {"type": "string", "description": "Stable, machine-readable error code."},
                "message": {"type": "string", "description": "What went wrong, for people."},
                "request_id": {"type": "string", "description": "Quote it when reporting a problem."},
                "details": {"description": "Extra facts, e.g. the invalid fields."},
            },
        }
    },
}

# Statuses any operation can answer; body-taking operations add BODY_ERRORS.
COMMON_ERRORS: Final = (500,)
BODY_ERRORS: Final = (400, 413, 415, 422)
AUTH_ERRORS: Final = (401, 403)
QUERY_ERRORS: Final = (400, 422)
SECURITY_SCHEMES: Final[dict[str, Any]] = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "An access token from /api/auth/sign-in, or an API key (cdk_...).",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "cd_session",
        "description": "The web app's session cookie.",
    },
}

CONDITIONAL_HEADERS: Final[dict[str, Any]] = {
    "ETag": {
        "description": "Strong tag of this body; send it back as If-None-Match",
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": "`private, no-cache` on JSON (revalidate with the ETag); `private, no-store` on CSV",
        "schema": {"type": "string", "enum": ["private, no-cache", "private, no-store"]},
    },
}


def build_document(operations: Iterable[Operation], *, version: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    used_statuses: set[int] = set()
    tags: dict[str, None] = {}
    for operation in sorted(operations, key=lambda op: (op.path, op.method)):
        statuses = sorted(
            {
                *operation.errors,
                *COMMON_ERRORS,
                *(BODY_ERRORS if operation.takes_body else ()),
                *(AUTH_ERRORS if not operation.public else ()),
                *(QUERY_ERRORS if operation.query_schema else ()),
            }
        )
        used_statuses.update(statuses)
        tags[operation.tag] = None
        paths.setdefault(operation.path, {})[operation.method.lower()] = _operation(operation, statuses)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "CreatorDeck API",
            "version": version,
            "description": "Dashboard, connections, publishing and privacy API of CreatorDeck.",
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": tag} for tag in tags],
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "securitySchemes": SECURITY_SCHEMES,
            "responses": {
                str(status): {
                    "description": HTTPStatus(status).phrase,
                    "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
                for status in sorted(used_statuses)
            },
        },
    }


def _operation(operation: Operation, error_statuses: list[int]) -> dict[str, Any]:
    success: dict[str, Any] = {"description": HTTPStatus(operation.success_status).phrase}
    if operation.response_schema is not None:
        success["content"] = {operation.response_content_type: {"schema": operation.response_schema}}
        for content_type in operation.alternative_content_types:
            success["content"][content_type] = {"schema": {"type": "string"}}
    responses: dict[str, Any] = {str(operation.success_status): success}
    if operation.conditional:
        success["headers"] = CONDITIONAL_HEADERS
        responses["304"] = {"description": "Not Modified: the If-None-Match tag is still current"}
    for status in error_statuses:
        if str(status) in responses:
            continue
        if operation.response_content_type != JSON and status in operation.errors:
            # A page route (the OAuth callback) answers its own failures as pages too.
            responses[str(status)] = {
                "description": HTTPStatus(status).phrase,
                "content": {operation.response_content_type: {"schema": {"type": "string"}}},
            }
        else:
            responses[str(status)] = {"$ref": f"#/components/responses/{status}"}
    document: dict[str, Any] = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "tags": [operation.tag],
        "responses": responses,
    }
    if operation.description:
        document["description"] = operation.description
    if operation.public:
        document["security"] = []
    else:
        document["security"] = [{"bearer": []}, {"session": []}]
        document["x-required-action"] = operation.action
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for name in operation.path_parameters
    ]
    parameters += [
        {"name": name, "in": "query", "required": False, "schema": dict(schema)}
        for name, schema in (operation.query_schema or {}).items()
    ]
    if operation.conditional:
        parameters.append(
            {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}}
        )
    if parameters:
        document["parameters"] = parameters
    if operation.request_schema is not None:
        document["requestBody"] = {
            "required": True,
            "content": {
                content_type: {"schema": operation.request_schema}
                for content_type in operation.request_content_types
            },
        }
    return document
