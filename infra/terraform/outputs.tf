output "public_base_url" {
  description = "Where the web app and /api/* are served (CREATORDECK_PUBLIC_BASE_URL)."
  value       = local.public_base_url
}

output "cloudfront_domain_name" {
  description = "Point the DNS record of var.domain_name here (CNAME or alias)."
  value       = var.enable_cloudfront ? aws_cloudfront_distribution.web[0].domain_name : null
}

output "cloudfront_distribution_id" {
  description = "For cache invalidation after a web app release."
  value       = var.enable_cloudfront ? aws_cloudfront_distribution.web[0].id : null
}

output "api_invoke_url" {
  description = "The API Gateway stage URL (CloudFront forwards /api/* here)."
  value       = aws_api_gateway_stage.api.invoke_url
}

output "oauth_redirect_uris" {
  description = "Register these with each platform's developer app (docs/deploy.md)."
  value = {
    for platform in ["tiktok", "instagram", "facebook", "threads", "youtube"] :
    platform => "${local.public_base_url}/api/oauth/${platform}/callback"
  }
}

output "table_names" {
  description = "DynamoDB table per logical name."
  value       = { for name, t in aws_dynamodb_table.table : name => t.name }
}

output "token_key_arn" {
  description = "CREATORDECK_TOKEN_KEY_ID."
  value       = aws_kms_key.tokens.arn
}

output "token_key_alias" {
  description = "Alias of the token key."
  value       = aws_kms_alias.tokens.name
}

output "queue_urls" {
  description = "Work queue URLs."
  value       = { for name, q in aws_sqs_queue.work : name => q.url }
}

output "dead_letter_queue_urls" {
  description = "DLQ URLs (redrive with `aws sqs start-message-move-task`)."
  value       = merge({ for name, q in aws_sqs_queue.dlq : name => q.url }, { async = aws_sqs_queue.async_dlq.url })
}

output "bucket_names" {
  description = "S3 buckets."
  value       = { media = aws_s3_bucket.media.bucket, exports = aws_s3_bucket.exports.bucket, web = aws_s3_bucket.web.bucket }
}

output "app_secret_arn" {
  description = "Secret to fill with platform client secrets and the session signing key (CREATORDECK_SECRETS_ID)."
  value       = aws_secretsmanager_secret.app.arn
}

output "function_names" {
  description = "Lambda function per logical name."
  value       = { for name, f in aws_lambda_function.function : name => f.function_name }
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms publish to."
  value       = aws_sns_topic.alarms.arn
}

output "data_key_arn" {
  description = "Key that encrypts tables, queues, buckets, secrets and logs at rest."
  value       = aws_kms_key.data.arn
}
