# The functions of local.functions (main.tf), all from the one Chalice package
# (`chalice package --pkg-format terraform` -> deployment.zip; see docs/deploy.md).

locals {
  function_names = { for name, _ in local.functions : name => "${local.name_prefix}-${name}" }
}

resource "aws_cloudwatch_log_group" "function" {
  for_each = local.functions

  name              = "/aws/lambda/${local.function_names[each.key]}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.data.arn
}

resource "aws_lambda_function" "function" {
  for_each = local.functions
  #checkov:skip=CKV_AWS_117:no private resources to reach; a VPC would add NAT gateways for the platform APIs and no protection
  #checkov:skip=CKV_AWS_272:the package is built by `chalice package` in the release step; AWS Signer signing is a follow-up (docs/deploy.md)

  function_name                  = local.function_names[each.key]
  role                           = aws_iam_role.function[each.key].arn
  handler                        = each.value.handler
  runtime                        = var.lambda_runtime
  architectures                  = ["x86_64"]
  memory_size                    = each.value.memory_mb
  timeout                        = each.value.timeout_s
  filename                       = var.lambda_package_path
  source_code_hash               = filebase64sha256(var.lambda_package_path)
  reserved_concurrent_executions = lookup(var.reserved_concurrency, each.key, -1)
  kms_key_arn                    = aws_kms_key.data.arn

  environment {
    variables = local.lambda_environment
  }

  tracing_config {
    mode = "Active"
  }

  dead_letter_config {
    target_arn = aws_sqs_queue.async_dlq.arn
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.function[each.key].name
  }

  depends_on = [aws_iam_role_policy.function]
}

# SQS workers: Powertools batch processing reports partial failures, so one bad message is retried
# (and eventually dead-lettered) without redelivering the whole batch.
resource "aws_lambda_event_source_mapping" "queue" {
  for_each = { for name, f in local.functions : name => f if f.queue != null }

  event_source_arn                   = aws_sqs_queue.work[each.value.queue].arn
  function_name                      = aws_lambda_function.function[each.key].arn
  batch_size                         = 10
  maximum_batching_window_in_seconds = 5
  function_response_types            = ["ReportBatchItemFailures"]
}
