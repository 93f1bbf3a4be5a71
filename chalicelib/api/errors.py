"""The error contract, in one middleware.

Every error a client sees has the body
``{"error": {"code": ..., "message": ..., "details": ..., "request_id": ...}}``
and a fitting status. Domain errors map by kind; Chalice's own error responses
(405, 415, its 500) are rewritten into the same shape; anything unexpected is a
500 that names the request id and nothing else.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any, Final

from chalice import ChaliceUnhandledError, Response
from chalice.app import Request

from chalicelib.api.routing import JSON
from chalicelib.domain.errors import (
    AuthenticationError,
    ConflictError,
    DependencyUnavailableError,
    DomainError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ValidationError,
)
from chalicelib.observability import logger, metrics, tracer

# Order matters: the first matching class wins, so subclasses come first.
STATUS_BY_ERROR: Final[tuple[tuple[type[DomainError], int], ...]] = (
    (ValidationError, 422),
    (InvalidInputError, 400),
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (RateLimitedError, 429),
    (DependencyUnavailableError, 503),
)

# Chalice's built-in error bodies look like {"Code": ..., "Message": ...}.
_CHALICE_CODES: Final = {
    "MethodNotAllowedError": ("method_not_allowed", "This method is not allowed on this path."),
    "UnsupportedMediaType": ("unsupported_media_type", "This content type is not accepted here."),
    "BadRequestError": ("bad_request", "The request is malformed."),
    "BadRequest": ("bad_request", "The request is malformed."),
    "NotFoundError": ("not_found", "Nothing is here."),
    "InternalServerError": ("internal_error", "An unexpected error occurred."),
}

INTERNAL_ERROR_MESSAGE: Final = "An unexpected error occurred. Quote the request id if you report it."


class HttpError(DomainError):
    """An error that only exists at the HTTP edge (body too large, unknown route)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message, code=code)
        self.status = status


def error_body(code: str, message: str, request_id: str, details: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "request_id": request_id}
    if details is not None:
        error["details"] = details
    return {"error": error}


def error_response(
    status: int,
    code: str,
    message: str,
    request_id: str,
    details: Any = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    return Response(
        body=error_body(code, message, request_id, details),
        status_code=status,
        headers={"Content-Type": JSON, **(headers or {})},
    )


def response_for_exception(exc: BaseException, request_id: str) -> Response:
    if isinstance(exc, HttpError):
        return error_response(exc.status, exc.code, exc.message, request_id, exc.details)
    if isinstance(exc, DomainError):
        status = next(status for kind, status in STATUS_BY_ERROR if isinstance(exc, kind))
        headers: dict[str, str] = {}
        if isinstance(exc, RateLimitedError):
            headers["Retry-After"] = str(exc.retry_after_seconds)
        if isinstance(exc, AuthenticationError):
            headers["WWW-Authenticate"] = "Bearer"
        return error_response(status, exc.code, exc.message, request_id, exc.details, headers)
    logger.exception("unhandled error", extra={"error_type": type(exc).__name__})
    return error_response(500, "internal_error", INTERNAL_ERROR_MESSAGE, request_id)


def make_error_middleware(
    max_body_bytes: Callable[[], int],
) -> Callable[[Request, Callable[..., Response]], Response]:
    """The HTTP middleware: correlation id, body size limit, error translation, access log."""

    def handle_errors(request: Request, get_response: Callable[..., Response]) -> Response:
        started = time.perf_counter()
        request_id = request_id_of(request)
        route = str((request.context or {}).get("resourcePath") or "unknown")
        logger.set_correlation_id(request_id)
        with tracer().provider.in_subsegment(f"## {request.method} {route}") as subsegment:
            subsegment.put_annotation("request_id", request_id)
            try:
                if len(request.raw_body or b"") > max_body_bytes():
                    raise HttpError(
                        413, "payload_too_large", "The request body is larger than this API accepts."
                    )
                response = get_response(request)
            except ChaliceUnhandledError as wrapped:
                response = response_for_exception(wrapped.__cause__ or wrapped, request_id)
            except Exception as exc:
                response = response_for_exception(exc, request_id)
            response = _rewrite_chalice_error(response, request_id)
            subsegment.put_annotation("status", str(response.status_code))
        response.headers["X-Request-Id"] = request_id
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        logger.info(
            "request",
            extra={
                "http_method": request.method,
                "path": route,
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
        record_request_metrics(response.status_code, duration_ms)
        return response

    return handle_errors


def record_request_metrics(status: int, duration_ms: float) -> None:
    """One EMF record per request: count, latency, and 4xx/5xx counts (alarms watch the 5xx)."""
    from aws_lambda_powertools.metrics import MetricUnit

    emf = metrics()
    emf.add_metric(name="ApiRequests", unit=MetricUnit.Count, value=1)
    emf.add_metric(name="ApiLatency", unit=MetricUnit.Milliseconds, value=duration_ms)
    if status >= 500:
        emf.add_metric(name="ApiServerErrors", unit=MetricUnit.Count, value=1)
    elif status >= 400:
        emf.add_metric(name="ApiClientErrors", unit=MetricUnit.Count, value=1)
    emf.flush_metrics()


def request_id_of(request: Request) -> str:
    """API Gateway's request id; Chalice local has none, so the Lambda one, or a fresh one."""
    from_gateway = (request.context or {}).get("requestId")
    if from_gateway:
        return str(from_gateway)
    lambda_context = getattr(request, "lambda_context", None)
    from_lambda = getattr(lambda_context, "aws_request_id", None)
    return str(from_lambda) if from_lambda else str(uuid.uuid4())


def _rewrite_chalice_error(response: Response, request_id: str) -> Response:
    body = response.body
    if response.status_code < 400 or not isinstance(body, dict) or set(body) != {"Code", "Message"}:
        return response
    code, message = _CHALICE_CODES.get(str(body["Code"]), ("error", HTTPStatus(response.status_code).phrase))
    if response.status_code >= 500:
        code, message = "internal_error", INTERNAL_ERROR_MESSAGE
    headers = {name: str(value) for name, value in response.headers.items() if name.lower() == "allow"}
    return error_response(response.status_code, code, message, request_id, headers=headers)
