# Alarms publish to one SNS topic (subscribe var.alarm_email or a pager).
# - any message in a DLQ (a message failed var.queue_max_receive_count times, or a scheduled run failed)
# - function errors and throttles, API 5xx
# - a deletion request still open after var.deletion_request_max_age_hours: the retention-sweep job
#   emits the metric OldestOpenDeletionRequestAgeHours (0 when none is open) on every run, so missing
#   data also alarms (the sweep stopped running).

resource "aws_sns_topic" "alarms" {
  name              = "${local.name_prefix}-alarms"
  kms_master_key_id = aws_kms_key.data.arn
}

resource "aws_sns_topic_subscription" "alarm_email" {
  count = var.alarm_email != "" ? 1 : 0

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

locals {
  dead_letter_queues = merge(
    { for name, q in aws_sqs_queue.dlq : "${name}-dlq" => q.name },
    { "async-invoke-dlq" = aws_sqs_queue.async_dlq.name },
  )
}

resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  for_each = local.dead_letter_queues

  alarm_name          = "${local.name_prefix}-${each.key}-not-empty"
  alarm_description   = "Messages in ${each.value}: inspect, fix, then redrive (docs/deploy.md)."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "function_errors" {
  for_each = local.functions

  alarm_name          = "${local.name_prefix}-${each.key}-errors"
  alarm_description   = "${local.function_names[each.key]} raised errors or was throttled."
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "failures"
    expression  = "errors + throttles"
    label       = "Errors and throttles"
    return_data = true
  }

  metric_query {
    id = "errors"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      dimensions  = { FunctionName = local.function_names[each.key] }
      stat        = "Sum"
      period      = 300
    }
  }

  metric_query {
    id = "throttles"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Throttles"
      dimensions  = { FunctionName = local.function_names[each.key] }
      stat        = "Sum"
      period      = 300
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "api_5xx" {
  alarm_name          = "${local.name_prefix}-api-5xx"
  alarm_description   = "The API answered 5xx: a 500 is a bug."
  namespace           = "AWS/ApiGateway"
  metric_name         = "5XXError"
  dimensions          = { ApiName = aws_api_gateway_rest_api.api.name, Stage = aws_api_gateway_stage.api.stage_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "old_deletion_requests" {
  alarm_name          = "${local.name_prefix}-deletion-request-overdue"
  alarm_description   = "A data deletion request has been open longer than ${var.deletion_request_max_age_hours} h (or the retention sweep stopped reporting)."
  namespace           = var.metrics_namespace
  metric_name         = "OldestOpenDeletionRequestAgeHours"
  dimensions          = { service = var.app_name }
  statistic           = "Maximum"
  period              = 3600
  evaluation_periods  = 1
  threshold           = var.deletion_request_max_age_hours
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}
