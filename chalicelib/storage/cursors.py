"""Opaque paging cursors over DynamoDB's LastEvaluatedKey, bound to the partition they page.

A cursor comes back from the client, so it is checked before DynamoDB sees it: it must hold
exactly the key attributes of the table (and of the index, when paging one), each a string, in
the caller's own partition and under the sort-key prefix the query reads. Anything else is a 400
``invalid_cursor``; a start key of the wrong shape would otherwise reach DynamoDB and fail there.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pynamodb.models import Model
from pynamodb.pagination import ResultIterator

from chalicelib.domain.errors import InvalidInputError

_M = TypeVar("_M", bound=Model)


@dataclass(frozen=True)
class KeyShape:
    """The start key a query accepts: each of ``partitions`` equal to its value, each of
    ``sort_prefixes`` starting with its prefix, and no other attribute."""

    partitions: Mapping[str, str]
    sort_prefixes: Mapping[str, str]

    def admits(self, key: Mapping[str, Any]) -> bool:
        if set(key) != set(self.partitions) | set(self.sort_prefixes):
            return False
        values = {name: _string_value(attribute) for name, attribute in key.items()}
        return all(values[name] == value for name, value in self.partitions.items()) and all(
            (value := values[name]) is not None and value.startswith(prefix)
            for name, prefix in self.sort_prefixes.items()
        )


def encode_cursor(last_evaluated_key: dict[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    raw = json.dumps(last_evaluated_key, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, shape: KeyShape) -> dict[str, Any] | None:
    """The start key a cursor names; refused unless it is a key of ``shape``."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: [[[[...
        raise _invalid() from None
    if not isinstance(key, dict) or not shape.admits(key):
        raise _invalid()
    return key


def first_page(model: type[_M], results: ResultIterator[_M]) -> tuple[list[_M], dict[str, Any] | None]:
    """The items of one DynamoDB page of ``results`` and its LastEvaluatedKey: exactly one call.

    Iterating ``results`` with a ``limit`` and a filter would go on reading pages until ``limit``
    items matched, at a cost that grows with the items filtered out; a listing reads one page and
    hands back its key instead, even when fewer than ``limit`` (or no) items matched.
    """
    page = next(results.page_iter)
    items = [model.from_raw_data(raw) for raw in page.get("Items", [])]
    return items, results.page_iter.last_evaluated_key


def _string_value(attribute: Any) -> str | None:
    """The value of ``{"S": "..."}``; None for any other type or shape."""
    if isinstance(attribute, dict) and len(attribute) == 1 and isinstance(attribute.get("S"), str):
        return str(attribute["S"])
    return None


def _invalid() -> InvalidInputError:
    return InvalidInputError("The paging cursor is not valid.", code="invalid_cursor")
