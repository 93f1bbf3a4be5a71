# API Gateway REST API defined by the OpenAPI document Chalice generates (routes must match
# resourcePath for Chalice to dispatch). infra/chalice_release.py extracts it from chalice.tf.json
# with the Lambda integration URI replaced by __API_HANDLER_INVOKE_ARN__, filled in here. The invoke
# ARN is built from the function name, not the resource, so the function can be told the public URL.

locals {
  api_invoke_arn = join("", [
    "arn:${local.partition}:apigateway:${local.region}:lambda:path/2015-03-31/functions/",
    "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${local.function_names["api"]}",
    "/invocations",
  ])
  chalice_openapi = jsondecode(replace(file(var.api_openapi_path), "__API_HANDLER_INVOKE_ARN__", local.api_invoke_arn))

  # API Gateway's own answers in the API's error shape (devstack/front.py mirrors the first locally):
  # a path no route matches is a 404, not API Gateway's 403 "Missing Authentication Token".
  gateway_responses = {
    MISSING_AUTHENTICATION_TOKEN = { status = "404", code = "not_found", message = "No API route matches this path." }
    THROTTLED                    = { status = "429", code = "rate_limited", message = "Too many requests; retry later." }
    DEFAULT_5XX                  = { status = null, code = "unavailable", message = "The service is unavailable; retry later." }
  }
  api_openapi = jsonencode(merge(local.chalice_openapi, {
    "x-amazon-apigateway-gateway-responses" = {
      for type, r in local.gateway_responses : type => merge(
        r.status == null ? {} : { statusCode = r.status },
        {
          responseParameters = { "gatewayresponse.header.Cache-Control" = "'no-store'" }
          responseTemplates = {
            "application/json" = "{\"error\":{\"code\":\"${r.code}\",\"message\":\"${r.message}\",\"request_id\":\"$context.requestId\"}}"
          }
        },
      )
    }
  }))
}

resource "aws_api_gateway_rest_api" "api" {
  name = "${local.name_prefix}-api"
  body = local.api_openapi

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_deployment" "api" {
  rest_api_id = aws_api_gateway_rest_api.api.id

  triggers = {
    redeployment = sha256(local.api_openapi)
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_cloudwatch_log_group" "api_access" {
  name              = "/aws/apigateway/${local.name_prefix}-api/access"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.data.arn
}

resource "aws_api_gateway_stage" "api" {
  #checkov:skip=CKV_AWS_120:responses are per user and must not be cached
  #checkov:skip=CKV2_AWS_29:WAF web ACL is a follow-up; stage throttling below limits abuse
  #checkov:skip=CKV2_AWS_51:browsers and platform webhooks cannot present client certificates
  rest_api_id          = aws_api_gateway_rest_api.api.id
  deployment_id        = aws_api_gateway_deployment.api.id
  stage_name           = var.api_stage_name
  xray_tracing_enabled = true

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    format = jsonencode({
      requestId      = "$context.requestId"
      ip             = "$context.identity.sourceIp"
      requestTime    = "$context.requestTime"
      httpMethod     = "$context.httpMethod"
      resourcePath   = "$context.resourcePath"
      status         = "$context.status"
      responseLength = "$context.responseLength"
      latencyMs      = "$context.responseLatency"
    })
  }

  depends_on = [aws_api_gateway_account.this]
}

resource "aws_api_gateway_method_settings" "all" {
  #checkov:skip=CKV_AWS_225:responses are per user and must not be cached
  rest_api_id = aws_api_gateway_rest_api.api.id
  stage_name  = aws_api_gateway_stage.api.stage_name
  method_path = "*/*"

  settings {
    metrics_enabled        = true
    logging_level          = "ERROR"
    data_trace_enabled     = false # would log request bodies (tokens, codes)
    throttling_rate_limit  = 100
    throttling_burst_limit = 200
    caching_enabled        = false
  }
}

resource "aws_lambda_permission" "api" {
  statement_id  = "AllowApiGateway"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.function["api"].function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.api.execution_arn}/*"
}

# API Gateway writes access/execution logs through one role per region and account (a region-wide
# setting: the stage owns it, one account per stage).
data "aws_iam_policy_document" "apigateway_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# The actions of the AWS managed AmazonAPIGatewayPushToCloudWatchLogs, scoped to this account's logs.
data "aws_iam_policy_document" "apigateway_logs" {
  statement {
    actions = [
      "logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams",
      "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents",
    ]
    resources = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"]
  }
}

resource "aws_iam_role" "apigateway_logs" {
  name               = "${local.name_prefix}-apigateway-logs"
  assume_role_policy = data.aws_iam_policy_document.apigateway_assume.json
}

resource "aws_iam_role_policy" "apigateway_logs" {
  name   = "push-to-cloudwatch-logs"
  role   = aws_iam_role.apigateway_logs.id
  policy = data.aws_iam_policy_document.apigateway_logs.json
}

resource "aws_api_gateway_account" "this" {
  cloudwatch_role_arn = aws_iam_role.apigateway_logs.arn

  depends_on = [aws_iam_role_policy.apigateway_logs]
}
