"""The DynamoDB schema the PynamoDB models define, as plain data (shared by the tests and the verifier).

Derived from the model classes themselves (PynamoDB's own create-table schema), never from a list kept
by hand: a new table model or index shows up here and must then exist in infra/terraform.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pynamodb.attributes import TTLAttribute


@dataclass(frozen=True)
class IndexSchema:
    hash_key: str
    range_key: str | None
    projection: str


@dataclass(frozen=True)
class TableSchema:
    hash_key: str
    range_key: str | None
    attributes: dict[str, str]  # key attributes of the table and its indexes: name -> S/N/B
    indexes: dict[str, IndexSchema] = field(default_factory=dict)
    local_indexes: dict[str, IndexSchema] = field(default_factory=dict)
    ttl_attribute: str | None = None


def _keys(key_schema: Iterable[Mapping[str, Any]]) -> tuple[str, str | None]:
    by_type = {key["KeyType"]: key["AttributeName"] for key in key_schema}
    return by_type["HASH"], by_type.get("RANGE")


def _index(index: Mapping[str, Any]) -> IndexSchema:
    hash_key, range_key = _keys(index["key_schema"])
    return IndexSchema(hash_key, range_key, index["projection"]["ProjectionType"])


def model_schemas() -> dict[str, TableSchema]:
    """Logical table name -> schema, for every table model the app declares."""
    from chalicelib.storage.base import table_models

    schemas: dict[str, TableSchema] = {}
    for model in table_models():
        schema = model._get_schema()
        hash_key, range_key = _keys(schema["key_schema"])
        ttl = [attr.attr_name for attr in model.get_attributes().values() if isinstance(attr, TTLAttribute)]
        schemas[model.logical_name] = TableSchema(
            hash_key=hash_key,
            range_key=range_key,
            attributes={a["AttributeName"]: a["AttributeType"] for a in schema["attribute_definitions"]},
            indexes={i["index_name"]: _index(i) for i in schema["global_secondary_indexes"]},
            local_indexes={i["index_name"]: _index(i) for i in schema["local_secondary_indexes"]},
            ttl_attribute=ttl[0] if len(ttl) == 1 else None,
        )
    return schemas
