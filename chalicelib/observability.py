"""Logging, metrics and tracing, with secrets redacted before anything is written.

Everything goes through Powertools: JSON logs with a correlation id per request,
EMF metrics and X-Ray traces. ``RedactingFormatter`` is the last stop before a log
line leaves the process: it masks values of secret-named fields and anything
that looks like a token, wherever it appears in the record.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

if TYPE_CHECKING:
    from aws_lambda_powertools import Metrics, Tracer

SERVICE: Final = "creatordeck"
MASK: Final = "***"

# Field names whose values are never logged, matched case-insensitively as a
# whole name or as a suffix (``refresh_token``, ``x-api-key``, ``client_secret``).
# A bare ``code`` is an OAuth authorization code; ``error_code`` stays readable.
SECRET_FIELDS: Final = re.compile(
    r"(^|[_\-.])(password|passwd|secret|token|code_verifier|verifier|authorization|cookie|"
    r"set-cookie|api[_-]?key|signed_request|signature|credentials?|private[_-]?key|otp)$"
    r"|^(code|auth_code|oauth_code|authorization_code|reset_code)$",
    re.IGNORECASE,
)

# Values that look like credentials wherever they appear in free text, with what replaces them.
TOKEN_SHAPES: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    # "Bearer <anything>" in headers or messages
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]+"), rf"\1 {MASK}"),
    # JSON Web Tokens
    (re.compile(r"\beyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"), MASK),
    # secrets in query strings or form bodies
    (
        re.compile(
            r"(?i)\b(code|access_token|refresh_token|id_token|code_verifier|client_secret|password|"
            r"token|signed_request|fb_exchange_token|input_token)=[^&\s\"']+"
        ),
        rf"\1={MASK}",
    ),
    # platform token prefixes: TikTok act./rft., Google ya29. and 1//, Meta EAA..., our API keys
    (re.compile(r"\b(act|rft|clt)\.[A-Za-z0-9._\-!*]{8,}"), MASK),
    (re.compile(r"\bya29\.[A-Za-z0-9._\-]+"), MASK),
    (re.compile(r"\b1//[A-Za-z0-9._\-]{8,}"), MASK),
    (re.compile(r"\bEAA[A-Za-z0-9]{16,}"), MASK),
    (re.compile(r"\bcdk_[A-Za-z0-9_]{16,}"), MASK),
    # long unbroken base64url/hex runs (random tokens), but not UUIDs, ARNs or paths
    (re.compile(r"(?<![A-Za-z0-9_\-/:.])[A-Za-z0-9_\-]{40,}(?![A-Za-z0-9_\-])"), MASK),
)


# Libraries that log each request's URL at INFO ("HTTP Request: GET <url>"): Graph's code and token
# exchanges are GETs with the client secret and the code in the query string, and a Lambda whose
# root logger is at INFO would write them out. Only their warnings are worth having.
for _chatty in ("httpx", "httpcore"):
    logging.getLogger(_chatty).setLevel(logging.WARNING)


def redact_text(text: str) -> str:
    for shape, replacement in TOKEN_SHAPES:
        text = shape.sub(replacement, text)
    return text


def redact(value: Any, field: str | None = None) -> Any:
    """Return ``value`` with secret fields masked and token-shaped strings replaced."""
    if field is not None and SECRET_FIELDS.search(field) and value not in (None, "", [], {}):
        return MASK
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {key: redact(item, str(key)) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [redact(item) for item in value]
    return value


class RedactingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON formatter with redaction applied to the whole record."""

    def serialize(self, log: dict[str, Any] | Any) -> str:
        return super().serialize(redact(log) if isinstance(log, dict) else log)


logger: Final = Logger(service=SERVICE, logger_formatter=RedactingFormatter())


@functools.cache
def metrics() -> Metrics:
    from aws_lambda_powertools import Metrics

    return Metrics(namespace="CreatorDeck", service=SERVICE)


@functools.cache
def tracer() -> Tracer:
    from aws_lambda_powertools import Tracer

    return Tracer(service=SERVICE)
