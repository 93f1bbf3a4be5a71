# The parts of a stage, one file each:
#   kms.tf        token key (envelope encryption of platform tokens) and data key (encryption at rest)
#   dynamodb.tf   tables matching chalicelib/storage/models.py
#   sqs.tf        work queues, their DLQs and the async-invoke DLQ of the functions
#   s3.tf         media, exports and web app buckets
#   secrets.tf    platform client secrets and session signing key
#   iam.tf        one role per function, actions from iam_actions.json
#   lambda.tf     the functions (the `functions` map below) and their log groups
#   api.tf        API Gateway REST API from the Chalice OpenAPI document
#   schedules.tf  EventBridge schedules of the scheduled functions
#   cloudfront.tf one origin for the web app and /api/*, security headers
#   alarms.tf     DLQ depth, function errors, API 5xx, old deletion requests

locals {
  name_prefix = "${var.app_name}-${var.stage}"
  account_id  = data.aws_caller_identity.current.account_id
  partition   = data.aws_partition.current.partition
  region      = data.aws_region.current.name

  # One entry per Lambda function. handler is Chalice's handler string (`app.<python function name>`);
  # schedule names a key of var.schedules, queue a key of local.queues (both null for the API).
  # Adding a function: one entry here and one in iam_actions.json (tests/deploy checks both).
  functions = {
    "api"              = { handler = "app.app", memory_mb = 512, timeout_s = 29, schedule = null, queue = null }
    "ingest-dispatch"  = { handler = "app.ingest_dispatch", memory_mb = 256, timeout_s = 120, schedule = "ingest-dispatch", queue = null }
    "publish-dispatch" = { handler = "app.publish_dispatch", memory_mb = 256, timeout_s = 60, schedule = "publish-dispatch", queue = null }
    "token-refresh"    = { handler = "app.token_refresh", memory_mb = 256, timeout_s = 300, schedule = "token-refresh", queue = null }
    "retention-sweep"  = { handler = "app.retention_sweep", memory_mb = 256, timeout_s = 300, schedule = "retention-sweep", queue = null }
    "ingest-worker"    = { handler = "app.ingest_worker", memory_mb = 512, timeout_s = 120, schedule = null, queue = "ingest" }
    "publish-worker"   = { handler = "app.publish_worker", memory_mb = 512, timeout_s = 300, schedule = null, queue = "publish" }
    "privacy-worker"   = { handler = "app.privacy_worker", memory_mb = 512, timeout_s = 300, schedule = null, queue = "privacy" }
  }

  # Actions each function's code calls, with symbolic resources resolved by local.iam_resources (iam.tf).
  iam_actions = jsondecode(file("${path.module}/iam_actions.json")).functions
  # Operator commands run from a person's machine (e.g. `creatordeck tokens reencrypt`), same shape.
  operator_actions = jsondecode(file("${path.module}/iam_actions.json")).operators

  public_base_url = (
    var.domain_name != "" ? "https://${var.domain_name}" :
    var.enable_cloudfront ? "https://${aws_cloudfront_distribution.web[0].domain_name}" :
    aws_api_gateway_stage.api.invoke_url
  )

  mail_from    = var.mail_from != "" ? var.mail_from : "CreatorDeck <no-reply@${var.domain_name != "" ? var.domain_name : "creatordeck.invalid"}>"
  mail_address = regex("([^<>\\s]+@[^<>\\s]+)", local.mail_from)[0]
  mail_domain  = split("@", local.mail_address)[1]

  # Every variable chalicelib/settings.py reads, for every function (tests/deploy checks the names).
  # AWS_ENDPOINT_URL is for the local stack only and is never set here.
  lambda_environment = {
    CREATORDECK_STAGE                            = var.stage
    CREATORDECK_TABLE_PREFIX                     = local.name_prefix
    CREATORDECK_TOKEN_KEY_ID                     = aws_kms_key.tokens.arn
    CREATORDECK_MEDIA_BUCKET                     = aws_s3_bucket.media.bucket
    CREATORDECK_EXPORTS_BUCKET                   = aws_s3_bucket.exports.bucket
    CREATORDECK_INGEST_QUEUE_URL                 = aws_sqs_queue.work["ingest"].url
    CREATORDECK_PUBLISH_QUEUE_URL                = aws_sqs_queue.work["publish"].url
    CREATORDECK_PRIVACY_QUEUE_URL                = aws_sqs_queue.work["privacy"].url
    CREATORDECK_PUBLIC_BASE_URL                  = local.public_base_url
    CREATORDECK_SECRETS_ID                       = aws_secretsmanager_secret.app.arn
    CREATORDECK_MAX_BODY_BYTES                   = tostring(var.max_body_bytes)
    CREATORDECK_MAIL_FROM                        = local.mail_from
    CREATORDECK_LOCKOUT_THRESHOLD                = tostring(var.lockout_threshold)
    CREATORDECK_LOCKOUT_MINUTES                  = tostring(var.lockout_minutes)
    CREATORDECK_SIGNIN_IP_LIMIT                  = tostring(var.signin_ip_limit)
    CREATORDECK_TIKTOK_CLIENT_KEY                = var.tiktok_client_key
    CREATORDECK_META_APP_ID                      = var.meta_app_id
    CREATORDECK_THREADS_APP_ID                   = var.threads_app_id
    CREATORDECK_GOOGLE_CLIENT_ID                 = var.google_client_id
    CREATORDECK_META_GRAPH_VERSION               = var.meta_graph_version
    CREATORDECK_DEAUTHORIZED_DELETION_DELAY_DAYS = tostring(var.deauthorized_deletion_delay_days)
    CREATORDECK_SYNC_PROFILE_HOURS               = tostring(var.sync_profile_hours)
    CREATORDECK_SYNC_COUNTERS_HOURS              = tostring(var.sync_counters_hours)
    CREATORDECK_SYNC_DEMOGRAPHICS_HOUR_UTC       = tostring(var.sync_demographics_hour_utc)
    CREATORDECK_SYNC_JITTER                      = tostring(var.sync_jitter)
    CREATORDECK_VAULT_EPOCH_HOURS                = tostring(var.vault_epoch_hours)
    CREATORDECK_INGEST_MAX_RECEIVES              = tostring(var.queue_max_receive_count)
    CREATORDECK_PLATFORM_RATE_LIMITS             = jsonencode(var.platform_rate_limits)
    POWERTOOLS_SERVICE_NAME                      = var.app_name
    POWERTOOLS_METRICS_NAMESPACE                 = var.metrics_namespace
    POWERTOOLS_LOG_LEVEL                         = var.log_level
  }
}
