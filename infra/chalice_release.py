"""Bridge between `chalice package --pkg-format terraform` and infra/terraform.

Chalice's Terraform output pins Terraform < 1.4 and the AWS provider < 5 and puts every function under
one role, so infra/terraform declares the functions itself (one role each) and takes only two things
from Chalice: deployment.zip, and the OpenAPI document that defines the API Gateway REST API (Chalice
dispatches on the API Gateway resource path, so the routes must be Chalice's own).

    # release: after `chalice package --pkg-format terraform --stage prod out/`
    python infra/chalice_release.py extract out/chalice.tf.json out/openapi.json

    # deploy-check: the same document straight from the app, with no package build, converted to
    # OpenAPI 3 because moto's PutRestApi reads only that (AWS takes Chalice's Swagger 2 as it is)
    python infra/chalice_release.py generate --openapi3 . build/openapi.json

Either way the Lambda integration URI becomes the placeholder __API_HANDLER_INVOKE_ARN__, which
api.tf fills in. Anything else Terraform would have interpolated (Lambda authorizers) is refused:
infra/terraform has no resource for it yet.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

PLACEHOLDER = "__API_HANDLER_INVOKE_ARN__"
CHALICE_API_HANDLER_REF = "${aws_lambda_function.api_handler.invoke_arn}"


class ReleaseError(Exception):
    """The Chalice output cannot be used as it is."""


def openapi_from_chalice_tf(chalice_tf: dict[str, Any]) -> str:
    try:
        swagger = chalice_tf["locals"]["chalice_api_swagger"]
    except KeyError:
        raise ReleaseError(
            "chalice.tf.json has no locals.chalice_api_swagger: does the app declare routes?"
        ) from None
    return _with_placeholder(swagger)


def openapi_from_app(project_dir: Path) -> str:
    from chalice.deploy.swagger import TerraformSwaggerGenerator

    sys.path.insert(0, str(project_dir.resolve()))
    import app as chalice_app_module  # the project's app.py

    swagger = TerraformSwaggerGenerator().generate_swagger(chalice_app_module.app)
    return _with_placeholder(json.dumps(swagger))


def _with_placeholder(swagger_json: str) -> str:
    document = swagger_json.replace(CHALICE_API_HANDLER_REF, PLACEHOLDER)
    if "${" in document:
        start = document.index("${")
        raise ReleaseError(
            f"unsupported Terraform reference in the API document: {document[start : start + 80]!r}"
        )
    parsed = json.loads(document)
    if not parsed.get("paths"):
        raise ReleaseError("the API document has no paths")
    return json.dumps(parsed, indent=2, sort_keys=True) + "\n"


def to_openapi3(document_json: str) -> str:
    """The Swagger 2 document Chalice writes, as OpenAPI 3.0 (enough for moto; not used for AWS)."""
    swagger = json.loads(document_json)
    converted: dict[str, Any] = {
        key: value
        for key, value in swagger.items()
        if key not in {"swagger", "definitions", "securityDefinitions", "paths"}
    }
    converted["openapi"] = "3.0.1"
    converted["components"] = {
        "schemas": swagger.get("definitions", {}),
        "securitySchemes": swagger.get("securityDefinitions", {}),
    }
    converted["paths"] = {}
    for path, methods in swagger["paths"].items():
        converted["paths"][path] = {}
        for method, operation in methods.items():
            operation = {k: v for k, v in operation.items() if k not in {"consumes", "produces"}}
            operation["parameters"] = [
                {**{k: v for k, v in p.items() if k != "type"}, "schema": {"type": p.get("type", "string")}}
                for p in operation.get("parameters", [])
            ]
            operation["responses"] = {
                status: {"description": response.get("description", status)}
                for status, response in operation.get("responses", {}).items()
            }
            converted["paths"][path][method] = operation
    text = json.dumps(converted, indent=2, sort_keys=True) + "\n"
    return text.replace("#/definitions/", "#/components/schemas/")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    extract = commands.add_parser("extract", help="from chalice.tf.json (release)")
    extract.add_argument("chalice_tf_json", type=Path)
    extract.add_argument("output", type=Path)
    generate = commands.add_parser("generate", help="from the app itself (deploy-check)")
    generate.add_argument("--openapi3", action="store_true", help="convert to OpenAPI 3 (for moto)")
    generate.add_argument("project_dir", type=Path)
    generate.add_argument("output", type=Path)
    args = parser.parse_args(argv)

    try:
        if args.command == "extract":
            document = openapi_from_chalice_tf(json.loads(args.chalice_tf_json.read_text()))
        else:
            document = openapi_from_app(args.project_dir)
            if args.openapi3:
                document = to_openapi3(document)
    except ReleaseError as error:
        print(f"chalice_release: {error}", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(document)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
