"""GET /api/health: is every dependency reachable?"""

from __future__ import annotations

from chalice import Response

from chalicelib.api.routing import ApiBlueprint, json_response
from chalicelib.bootstrap import services

routes = ApiBlueprint(__name__, tag="operations")

_STATUS = {
    "type": "object",
    "required": ["status"],
    "properties": {
        "status": {"enum": ["ok", "unreachable"]},
        "latency_ms": {"type": ["number", "null"]},
    },
}

HEALTH_SCHEMA = {
    "type": "object",
    "required": ["status", "dependencies"],
    "properties": {
        "status": {"enum": ["ok", "degraded"]},
        "dependencies": {
            "type": "object",
            "required": ["dynamodb", "kms", "s3", "sqs"],
            "additionalProperties": _STATUS,
        },
    },
}


@routes.route(
    "/api/health",
    "GET",
    summary="Reachability of DynamoDB, KMS, S3 and SQS",
    response=HEALTH_SCHEMA,
    errors=(503,),
)
def health() -> Response:
    """200 when every dependency answers; 503 with the same body when one does not."""
    report = services().health.check()
    return json_response(
        report.as_json(), status=200 if report.ok else 503, headers={"Cache-Control": "no-store"}
    )
