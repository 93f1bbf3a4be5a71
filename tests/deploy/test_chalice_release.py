"""infra/chalice_release.py: the API document Terraform deploys comes from Chalice, with one placeholder."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _release() -> ModuleType:
    spec = importlib.util.spec_from_file_location("chalice_release", ROOT / "infra" / "chalice_release.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


release = _release()


def _chalice_tf(uri: str) -> dict[str, object]:
    swagger = {
        "swagger": "2.0",
        "info": {"title": "creatordeck", "version": "1.0"},
        "definitions": {"Empty": {"type": "object"}},
        "paths": {
            "/api/items/{item_id}": {
                "get": {
                    "consumes": ["application/json"],
                    "parameters": [{"name": "item_id", "in": "path", "required": True, "type": "string"}],
                    "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Empty"}}},
                    "x-amazon-apigateway-integration": {
                        "type": "aws_proxy",
                        "httpMethod": "POST",
                        "uri": uri,
                    },
                }
            }
        },
    }
    return {"locals": {"chalice_api_swagger": json.dumps(swagger)}}


def test_the_api_handler_reference_becomes_the_placeholder():
    document = json.loads(release.openapi_from_chalice_tf(_chalice_tf(release.CHALICE_API_HANDLER_REF)))
    integration = document["paths"]["/api/items/{item_id}"]["get"]["x-amazon-apigateway-integration"]
    assert integration["uri"] == release.PLACEHOLDER


def test_an_authorizer_reference_is_refused():
    with pytest.raises(release.ReleaseError, match="unsupported Terraform reference"):
        release.openapi_from_chalice_tf(_chalice_tf("${aws_lambda_function.auth.invoke_arn}"))


def test_the_openapi3_conversion_keeps_routes_and_integration():
    swagger = release.openapi_from_chalice_tf(_chalice_tf(release.CHALICE_API_HANDLER_REF))
    converted = json.loads(release.to_openapi3(swagger))
    operation = converted["paths"]["/api/items/{item_id}"]["get"]
    assert converted["openapi"].startswith("3.")
    assert operation["parameters"][0]["schema"] == {"type": "string"}
    assert operation["x-amazon-apigateway-integration"]["uri"] == release.PLACEHOLDER
    assert "#/definitions/" not in json.dumps(converted)


def test_the_app_yields_a_document_with_its_routes():
    document = json.loads(release.openapi_from_app(ROOT))
    assert any(path.startswith("/api/") for path in document["paths"])
