"""Errors a use case raises; the API edge maps each kind to an HTTP status.

DomainError
├── InvalidInputError        the request is malformed or breaks a rule
│   └── ValidationError      fields missing or of the wrong shape
├── AuthenticationError      no or bad credentials
├── PermissionDeniedError    credentials fine, action not allowed
├── NotFoundError            nothing there (or nothing the caller may see)
├── ConflictError            the state forbids it (already used, exists)
├── RateLimitedError         too many attempts; retry later
└── DependencyUnavailableError  a dependency is down; retry later
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class DomainError(Exception):
    """Base of every error a client may see. ``code`` is stable; ``message`` is for people."""

    code: str = "error"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class InvalidInputError(DomainError):
    code = "invalid_input"


class ValidationError(InvalidInputError):
    code = "validation_failed"

    def __init__(self, problems: Sequence[Mapping[str, str]], message: str | None = None) -> None:
        super().__init__(
            message or "The request has invalid or missing fields.",
            details=[dict(problem) for problem in problems],
        )


class AuthenticationError(DomainError):
    code = "authentication_required"


class PermissionDeniedError(DomainError):
    code = "permission_denied"


class NotFoundError(DomainError):
    code = "not_found"


class ConflictError(DomainError):
    code = "conflict"


class RateLimitedError(DomainError):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after_seconds: int, code: str | None = None) -> None:
        super().__init__(message, code=code, details={"retry_after_seconds": retry_after_seconds})
        self.retry_after_seconds = retry_after_seconds


class DependencyUnavailableError(DomainError):
    code = "dependency_unavailable"
