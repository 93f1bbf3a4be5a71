"""Opaque paging cursors over DynamoDB's LastEvaluatedKey, bound to the partition they page."""

from __future__ import annotations

import base64
import json
from typing import Any

from chalicelib.domain.errors import InvalidInputError


def encode_cursor(last_evaluated_key: dict[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    raw = json.dumps(last_evaluated_key, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, partition_attribute: str, partition: str) -> dict[str, Any] | None:
    """The start key a cursor names; refused unless it pages the caller's own partition."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
        owner = key[partition_attribute]["S"]
    except (ValueError, KeyError, TypeError):
        raise InvalidInputError("The paging cursor is not valid.", code="invalid_cursor") from None
    if owner != partition or not isinstance(key, dict):
        raise InvalidInputError("The paging cursor is not valid.", code="invalid_cursor")
    return key
