"""JSON Schema validation of request bodies, with messages that never echo the input.

Schemas are JSON Schema 2020-12 (what OpenAPI 3.1 uses). Messages name the field
and the rule, never the value: the value may be a password.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from chalicelib.domain.errors import ValidationError

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError as SchemaViolation


def validate(document: Any, schema: Mapping[str, Any]) -> None:
    validator = _validator(json.dumps(schema, sort_keys=True))
    violations = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
    if violations:
        raise ValidationError([_problem(violation) for violation in violations])


@functools.lru_cache(maxsize=256)
def _validator(schema_json: str) -> Draft202012Validator:
    # Imported on first use: validation is not on the cold-start path of every route.
    from jsonschema import Draft202012Validator, FormatChecker

    return Draft202012Validator(json.loads(schema_json), format_checker=FormatChecker())


def _problem(violation: SchemaViolation) -> dict[str, str]:
    where = ".".join(str(part) for part in violation.absolute_path)
    rule = str(violation.validator)
    expected: Any = violation.validator_value
    instance: Any = violation.instance
    schema: Any = violation.schema
    if rule == "required":
        missing = [name for name in expected if name not in (instance or {})]
        return {"field": _join(where, missing[0] if missing else ""), "problem": "is required"}
    if rule == "additionalProperties":
        allowed = set((schema.get("properties") or {}).keys())
        extra = sorted(set(instance or {}) - allowed)
        return {"field": _join(where, extra[0] if extra else ""), "problem": "is not an accepted field"}
    template = _MESSAGES.get(rule, "is invalid")
    problem = template.format(expected=_names(expected))
    return {"field": where or "(body)", "problem": problem}


_MESSAGES = {
    "type": "must be of type {expected}",
    "minLength": "must be at least {expected} characters long",
    "maxLength": "must be at most {expected} characters long",
    "pattern": "has the wrong format",
    "format": "must be a valid {expected}",
    "enum": "must be one of {expected}",
    "const": "must be {expected}",
    "minimum": "must be at least {expected}",
    "maximum": "must be at most {expected}",
    "exclusiveMinimum": "must be greater than {expected}",
    "exclusiveMaximum": "must be less than {expected}",
    "minItems": "must have at least {expected} items",
    "maxItems": "must have at most {expected} items",
    "uniqueItems": "must not repeat items",
    "minProperties": "must not be empty",
}


def _join(parent: str, name: str) -> str:
    return f"{parent}.{name}" if parent and name else parent or name or "(body)"


def _names(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)
