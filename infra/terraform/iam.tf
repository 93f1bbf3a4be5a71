# One execution role per function. Its inline policy is
# - the statements of iam_actions.json for that function (what its code calls), with symbolic
#   resources resolved to ARNs here, and
# - what running as a Lambda needs: its own log group, X-Ray segments, the async-invoke DLQ, its
#   source queue (SQS workers), and the data key through the services that encrypt with it.
# No wildcard actions; every resource is an ARN of this stage except X-Ray, which has no resource type.

locals {
  iam_resources = {
    tables          = flatten([for t in aws_dynamodb_table.table : [t.arn, "${t.arn}/index/*"]])
    token_key       = [aws_kms_key.tokens.arn]
    media_bucket    = [aws_s3_bucket.media.arn]
    media_objects   = ["${aws_s3_bucket.media.arn}/*"]
    exports_bucket  = [aws_s3_bucket.exports.arn]
    exports_objects = ["${aws_s3_bucket.exports.arn}/*"]
    ingest_queue    = [aws_sqs_queue.work["ingest"].arn]
    publish_queue   = [aws_sqs_queue.work["publish"].arn]
    privacy_queue   = [aws_sqs_queue.work["privacy"].arn]
    app_secret      = [aws_secretsmanager_secret.app.arn]
    mail_identity = [
      "arn:${local.partition}:ses:${local.region}:${local.account_id}:identity/${local.mail_domain}",
      "arn:${local.partition}:ses:${local.region}:${local.account_id}:identity/${local.mail_address}",
    ]
  }
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "function" {
  for_each = local.functions

  name               = "${local.name_prefix}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

data "aws_iam_policy_document" "function" {
  for_each = local.functions

  dynamic "statement" {
    for_each = local.iam_actions[each.key].statements
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = flatten([for r in statement.value.resources : local.iam_resources[r]])
    }
  }

  statement {
    sid       = "OwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function[each.key].arn}:*"]
  }

  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"] # X-Ray has no resource-level permissions
  }

  statement {
    sid       = "AsyncInvokeDeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.async_dlq.arn]
  }

  dynamic "statement" {
    for_each = each.value.queue == null ? [] : [each.value.queue]
    content {
      sid       = "ConsumeSourceQueue"
      actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
      resources = [aws_sqs_queue.work[statement.value].arn]
    }
  }

  statement {
    sid       = "DataKeyThroughServices"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.data.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = [for service in ["sqs", "s3", "secretsmanager", "dynamodb"] : "${service}.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "function" {
  for_each = local.functions

  name   = "${local.name_prefix}-${each.key}"
  role   = aws_iam_role.function[each.key].id
  policy = data.aws_iam_policy_document.function[each.key].json
}

# Operator commands (iam_actions.json "operators"): one managed policy each, for the operator's own
# role to attach (docs/deploy.md). No function gets these; `tokens reencrypt` is the only Scan.
data "aws_iam_policy_document" "operator" {
  for_each = local.operator_actions

  dynamic "statement" {
    for_each = each.value.statements
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = flatten([for r in statement.value.resources : local.iam_resources[r]])
    }
  }
}

resource "aws_iam_policy" "operator" {
  for_each = local.operator_actions

  name        = "${local.name_prefix}-operator-${each.key}"
  description = "What `creatordeck ${replace(each.key, "-", " ")}` calls (iam_actions.json)"
  policy      = data.aws_iam_policy_document.operator[each.key].json
}
