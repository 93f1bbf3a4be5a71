# EventBridge rules that start the scheduled functions; cadences are var.schedules.

locals {
  scheduled_functions = { for name, f in local.functions : name => f if f.schedule != null }
}

resource "aws_cloudwatch_event_rule" "schedule" {
  for_each = local.scheduled_functions

  name                = "${local.name_prefix}-${each.key}"
  description         = "Starts ${local.function_names[each.key]}"
  schedule_expression = var.schedules[each.value.schedule]
}

resource "aws_cloudwatch_event_target" "schedule" {
  for_each = local.scheduled_functions

  rule = aws_cloudwatch_event_rule.schedule[each.key].name
  arn  = aws_lambda_function.function[each.key].arn
}

resource "aws_lambda_permission" "schedule" {
  for_each = local.scheduled_functions

  statement_id  = "AllowEventBridge"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.function[each.key].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule[each.key].arn
}
