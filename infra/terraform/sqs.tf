# Work queues, each with its DLQ: a message that keeps failing moves to the DLQ after
# var.queue_max_receive_count deliveries (redrive) instead of looping; alarms.tf watches every DLQ.
# Visibility timeout is six times the consuming function's timeout, as AWS advises for Lambda.

locals {
  queues = {
    ingest  = { consumer = "ingest-worker" }
    publish = { consumer = "publish-worker" }
    privacy = { consumer = "privacy-worker" }
  }
}

resource "aws_sqs_queue" "dlq" {
  for_each = local.queues

  name                      = "${local.name_prefix}-${each.key}-dlq"
  message_retention_seconds = var.dlq_retention_days * 86400
  kms_master_key_id         = aws_kms_key.data.arn
}

resource "aws_sqs_queue" "work" {
  for_each = local.queues

  name                       = "${local.name_prefix}-${each.key}"
  visibility_timeout_seconds = 6 * local.functions[each.value.consumer].timeout_s
  message_retention_seconds  = 4 * 86400
  kms_master_key_id          = aws_kms_key.data.arn
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq[each.key].arn
    maxReceiveCount     = var.queue_max_receive_count
  })
}

# Only its own work queue may dead-letter into a DLQ.
resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  for_each = var.enable_redrive_allow_policy ? local.queues : {}

  queue_url = aws_sqs_queue.dlq[each.key].url
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.work[each.key].arn]
  })
}

# Asynchronous invocations (EventBridge schedules) that fail twice land here.
resource "aws_sqs_queue" "async_dlq" {
  name                      = "${local.name_prefix}-async-invoke-dlq"
  message_retention_seconds = var.dlq_retention_days * 86400
  kms_master_key_id         = aws_kms_key.data.arn
}
