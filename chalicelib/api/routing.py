"""Declared routes: each route states its request and response schemas once.

``ApiBlueprint.route`` registers the Chalice view and records an ``Operation``,
from which the OpenAPI document is generated. The registered view parses and
validates the JSON body before the view function runs, and hands any exception
to the error middleware (Chalice would otherwise turn it into its own 500).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from chalice import Blueprint, ChaliceUnhandledError, Response
from chalice.app import Request

from chalicelib.api.validation import validate
from chalicelib.domain.errors import InvalidInputError, PermissionDeniedError
from chalicelib.domain.permissions import Action

JsonSchema: TypeAlias = Mapping[str, Any]
View: TypeAlias = Callable[..., Any]

JSON = "application/json"
_PATH_PARAMETER = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)}")


@dataclass(frozen=True)
class Operation:
    """One method on one path, as documented in OpenAPI."""

    method: str
    path: str
    operation_id: str
    summary: str
    tag: str
    response_schema: JsonSchema | None
    success_status: int = 200
    request_schema: JsonSchema | None = None
    request_content_types: tuple[str, ...] = (JSON,)
    response_content_type: str = JSON
    errors: tuple[int, ...] = ()
    description: str = ""
    action: Action | None = None  # None: public, no credentials needed
    query_schema: Mapping[str, JsonSchema] | None = None
    # Other representations the route answers on request (e.g. text/csv with ?format=csv).
    alternative_content_types: tuple[str, ...] = ()
    conditional: bool = False  # answers ETag, and 304 to a matching If-None-Match

    @property
    def public(self) -> bool:
        return self.action is None

    @property
    def path_parameters(self) -> list[str]:
        return _PATH_PARAMETER.findall(self.path)

    @property
    def takes_body(self) -> bool:
        return self.request_schema is not None


@dataclass
class ApiBlueprint:
    """A Chalice blueprint whose routes carry their schemas."""

    import_name: str
    tag: str
    blueprint: Blueprint = field(init=False)
    operations: list[Operation] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.blueprint = Blueprint(self.import_name)

    @property
    def current_request(self) -> Request:
        return self.blueprint.current_request

    def route(
        self,
        path: str,
        method: str,
        *,
        summary: str,
        response: JsonSchema | None,
        status: int = 200,
        body: JsonSchema | None = None,
        errors: tuple[int, ...] = (),
        content_types: tuple[str, ...] = (JSON,),
        response_content_type: str = JSON,
        description: str = "",
        action: Action | None = None,
        query: Mapping[str, JsonSchema] | None = None,
        alternative_content_types: tuple[str, ...] = (),
        conditional: bool = False,
    ) -> Callable[[View], View]:
        def register(view: View) -> View:
            operation = Operation(
                method=method.upper(),
                path=path,
                operation_id=view.__name__,
                summary=summary,
                tag=self.tag,
                response_schema=response,
                success_status=status,
                request_schema=body,
                request_content_types=content_types,
                response_content_type=response_content_type,
                errors=errors,
                description=description or (view.__doc__ or "").strip(),
                action=action,
                query_schema=query,
                alternative_content_types=alternative_content_types,
                conditional=conditional,
            )
            self.operations.append(operation)
            self.blueprint.route(
                path, methods=[operation.method], content_types=list(content_types), name=view.__name__
            )(self._guarded(view, operation))
            return view

        return register

    def _guarded(self, view: View, operation: Operation) -> View:
        @functools.wraps(view)
        def guarded(**path_parameters: str) -> Any:
            try:
                arguments: dict[str, Any] = dict(path_parameters)
                request = self.current_request
                if operation.action is not None:
                    # Imported here: routing is declared at import, authentication runs per request.
                    from chalicelib.api.principal import authenticate

                    caller = authenticate(request)
                    if not caller.may(operation.action):
                        raise PermissionDeniedError(
                            "Your role (or this API key) does not allow this.",
                            details={"required": operation.action.value},
                        )
                    arguments["caller"] = caller
                if operation.query_schema is not None:
                    arguments["query"] = parse_query(request, operation.query_schema)
                if operation.request_schema is not None:
                    arguments["body"] = parse_json_body(self.current_request, operation.request_schema)
                result = view(**arguments)
            except Exception as exc:
                # Chalice turns view exceptions into its own responses before middleware
                # runs; this one kind it lets through, so the error middleware decides.
                raise ChaliceUnhandledError(type(exc).__name__) from exc
            if isinstance(result, Response):
                return result
            if result is None:
                return Response(body="", status_code=operation.success_status)
            return json_response(result, status=operation.success_status)

        return guarded


def parse_json_body(request: Request, schema: JsonSchema) -> Any:
    """The request's JSON body, validated against ``schema``; a clear 4xx otherwise."""
    raw = request.raw_body
    if not raw:
        raise InvalidInputError("This request needs a JSON body.", code="missing_body")
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInputError("The request body is not valid JSON.", code="malformed_json") from None
    validate(document, schema)
    return document


def parse_query(request: Request, properties: Mapping[str, JsonSchema]) -> dict[str, Any]:
    """Query parameters, converted to their declared types and validated; unknown ones refused."""
    raw: dict[str, str] = dict(request.query_params or {})
    values: dict[str, Any] = {}
    problems = []
    for name, value in raw.items():
        schema = properties.get(name)
        if schema is None:
            problems.append({"field": name, "problem": "is not an accepted query parameter"})
        elif schema.get("type") == "integer":
            try:
                values[name] = int(value)
            except ValueError:
                problems.append({"field": name, "problem": "must be of type integer"})
        else:
            values[name] = value
    if problems:
        from chalicelib.domain.errors import ValidationError

        raise ValidationError(problems)
    validate(values, {"type": "object", "properties": dict(properties)})
    return values


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(body=body, status_code=status, headers={"Content-Type": JSON, **(headers or {})})
