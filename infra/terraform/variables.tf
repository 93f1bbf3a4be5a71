# ---- identity -------------------------------------------------------------------------------------

variable "app_name" {
  description = "Prefix of every resource name; tables are named <app_name>-<stage>-<logical>."
  type        = string
  default     = "creatordeck"
}

variable "stage" {
  description = "Deployment stage (one AWS account per stage), e.g. prod, staging."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.stage))
    error_message = "stage: lower-case letters, digits and dashes, 2-16 characters."
  }
}

variable "region" {
  description = "AWS region of the stage (CloudFront and its certificate are global / us-east-1)."
  type        = string
  default     = "us-east-1"
}

# ---- application package (from `chalice package --pkg-format terraform`, see docs/deploy.md) -----

variable "lambda_package_path" {
  description = "Path of deployment.zip produced by `chalice package` (the release step)."
  type        = string
}

variable "api_openapi_path" {
  description = "Path of openapi.json extracted from chalice.tf.json by infra/chalice_release.py."
  type        = string
}

variable "lambda_runtime" {
  description = "Lambda runtime; must match the Python that ran `chalice package`."
  type        = string
  default     = "python3.11"
}

variable "reserved_concurrency" {
  description = "Reserved concurrency per function name (-1 = unreserved). New accounts have a limit of 10: leave -1 there."
  type        = map(number)
  default     = {}
}

# ---- domain and web ---------------------------------------------------------------------------------

variable "domain_name" {
  description = "Public host name (e.g. app.creatordeck.example). Empty: the CloudFront *.cloudfront.net name is used."
  type        = string
  default     = ""
}

variable "certificate_arn" {
  description = "ACM certificate for domain_name, issued in us-east-1 (CloudFront). Required when domain_name is set."
  type        = string
  default     = ""
}

variable "api_stage_name" {
  description = "API Gateway stage name. CloudFront forwards /api/<route> to /<stage>/api/<route> (Chalice routes carry the /api prefix)."
  type        = string
  default     = "live"
}

variable "content_security_policy" {
  description = "Content-Security-Policy sent with every response. Empty: a strict default built from the bucket names."
  type        = string
  default     = ""
}

# ---- retention and cadences -------------------------------------------------------------------------

variable "log_retention_days" {
  description = "CloudWatch Logs retention for functions and API access logs."
  type        = number
  default     = 365
}

variable "media_retention_days" {
  description = "Uploaded media objects are deleted this many days after upload (S3 lifecycle): the privacy policy promises 7 by default, at most 90."
  type        = number
  default     = 7

  validation {
    condition     = var.media_retention_days >= 1 && var.media_retention_days <= 90 && floor(var.media_retention_days) == var.media_retention_days
    error_message = "A whole number of days between 1 and 90."
  }
}

variable "export_retention_days" {
  description = "Data exports are deleted this many days after creation (S3 lifecycle); the privacy policy promises one day."
  type        = number
  default     = 1

  validation {
    condition     = var.export_retention_days >= 1 && var.export_retention_days <= 7 && floor(var.export_retention_days) == var.export_retention_days
    error_message = "A whole number of days between 1 and 7."
  }
}

variable "schedules" {
  description = "EventBridge schedule expression per scheduled function."
  type        = map(string)
  default = {
    "ingest-dispatch"  = "rate(15 minutes)"
    "publish-dispatch" = "rate(1 minute)"
    "token-refresh"    = "rate(30 minutes)"
    "retention-sweep"  = "rate(1 hour)" # the deletion alarm expects its metric every hour
  }
}

variable "queue_max_receive_count" {
  description = "Deliveries of one SQS message before it moves to the queue's DLQ (the ingest worker reads it too)."
  type        = number
  default     = 5
  validation {
    condition     = var.queue_max_receive_count >= 1 && var.queue_max_receive_count <= 1000
    error_message = "SQS allows a redrive maxReceiveCount from 1 to 1000."
  }
}

variable "dlq_retention_days" {
  description = "How long a dead letter stays in a DLQ (max 14)."
  type        = number
  default     = 14
}

# ---- application settings ---------------------------------------------------------------------------

variable "log_level" {
  description = "POWERTOOLS_LOG_LEVEL for every function."
  type        = string
  default     = "INFO"
}

variable "metrics_namespace" {
  description = "POWERTOOLS_METRICS_NAMESPACE; the deletion-request alarm reads its metric from it."
  type        = string
  default     = "CreatorDeck"
}

variable "max_body_bytes" {
  description = "CREATORDECK_MAX_BODY_BYTES: largest request body the API accepts."
  type        = number
  default     = 1048576
}

variable "mail_from" {
  description = "CREATORDECK_MAIL_FROM, e.g. `CreatorDeck <no-reply@example.com>`; its domain (or address) must be a verified SES identity. Empty: no-reply@<domain_name>."
  type        = string
  default     = ""
}

variable "lockout_threshold" {
  description = "CREATORDECK_LOCKOUT_THRESHOLD: failed sign-ins in a row that lock an account."
  type        = number
  default     = 5
}

variable "lockout_minutes" {
  description = "CREATORDECK_LOCKOUT_MINUTES: how long a locked account stays locked."
  type        = number
  default     = 15
}

variable "signin_ip_limit" {
  description = "CREATORDECK_SIGNIN_IP_LIMIT: sign-in attempts one client IP may make per 15 minutes."
  type        = number
  default     = 50
}

# ---- operations -------------------------------------------------------------------------------------

variable "alarm_email" {
  description = "Address subscribed to the alarm topic (confirm the e-mail AWS sends). Empty: no subscription."
  type        = string
  default     = ""
}

variable "deletion_request_max_age_hours" {
  description = "Alarm when the oldest open deletion request is older than this."
  type        = number
  default     = 24
}

variable "deauthorized_deletion_delay_days" {
  description = "Days from a person removing the app (TikTok, Meta) to deleting that account's data."
  type        = number
  default     = 0
  validation {
    condition     = var.deauthorized_deletion_delay_days >= 0 && var.deauthorized_deletion_delay_days <= 30
    error_message = "Between 0 and 30 days."
  }
}

variable "sync_profile_hours" {
  description = "Hours between syncs of an account's profile counters and new posts."
  type        = number
  default     = 6
  validation {
    condition     = var.sync_profile_hours >= 1 && floor(var.sync_profile_hours) == var.sync_profile_hours
    error_message = "A whole number of hours, at least 1."
  }
}

variable "sync_counters_hours" {
  description = "Hours between syncs of the counters of posts younger than 7 days."
  type        = number
  default     = 2
  validation {
    condition     = var.sync_counters_hours >= 1 && floor(var.sync_counters_hours) == var.sync_counters_hours
    error_message = "A whole number of hours, at least 1."
  }
}

variable "sync_demographics_hour_utc" {
  description = "Off-peak hour (UTC) after which each account's demographics are fetched, once a day."
  type        = number
  default     = 4
  validation {
    condition     = var.sync_demographics_hour_utc >= 0 && var.sync_demographics_hour_utc <= 23
    error_message = "An hour from 0 to 23."
  }
}

variable "sync_jitter" {
  description = "Share of the time to an account's next sync added at random, to spread syncs out."
  type        = number
  default     = 0.1
  validation {
    condition     = var.sync_jitter >= 0 && var.sync_jitter <= 1
    error_message = "A share from 0 to 1."
  }
}

variable "vault_epoch_hours" {
  description = "Hours during which every function seals platform tokens under one shared data key (the token vault's key ring)."
  type        = number
  default     = 24
  validation {
    condition     = var.vault_epoch_hours >= 1 && var.vault_epoch_hours <= 168 && floor(var.vault_epoch_hours) == var.vault_epoch_hours
    error_message = "A whole number of hours from 1 to 168."
  }
}

variable "platform_rate_limits" {
  description = "Overrides of the ingest worker's client-side limits per platform (tiktok, instagram, facebook, threads, youtube): calls per window of seconds per endpoint class (0: no bucket, only the reactive backoff) and calls in flight. Unset platforms and keys keep the documented limits (chalicelib/platforms/rate_limits.py); each Lambda container applies them on its own."
  type        = map(map(number))
  default     = {}
  validation {
    condition = alltrue([
      for platform, limit in var.platform_rate_limits : contains(["tiktok", "instagram", "facebook", "threads", "youtube"], platform) && alltrue([
        for key, value in limit : contains(["calls", "seconds", "in_flight"], key) && floor(value) == value && value >= (key == "calls" ? 0 : 1)
      ])
    ])
    error_message = "Platforms are tiktok, instagram, facebook, threads or youtube; keys are calls (0 or more), seconds and in_flight (1 or more), whole numbers."
  }
}

variable "operator_role_arns" {
  description = "IAM roles of the people who run operator commands (creatordeck tokens reencrypt): they may use the token key with an encryption context. Attach the matching aws_iam_policy.operator policy to them too."
  type        = list(string)
  default     = []
}

variable "kms_deletion_window_days" {
  description = "Waiting period before a scheduled KMS key deletion takes effect."
  type        = number
  default     = 30
}

variable "deletion_protection" {
  description = "DynamoDB deletion protection and KMS/S3 safety. Off only for throw-away stages."
  type        = bool
  default     = true
}

# ---- what the embedded AWS (moto) cannot model ---------------------------------------------------------

variable "enable_cloudfront" {
  description = "Create the CloudFront distribution, OAC, response headers policy and the web bucket's CloudFront grant. false only for the local apply (moto has no CreateResponseHeadersPolicy)."
  type        = bool
  default     = true
}

variable "enable_redrive_allow_policy" {
  description = "Restrict each DLQ to its own source queue. false only for the local apply (moto does not return the attribute, so the provider waits forever)."
  type        = bool
  default     = true
}

# Platform apps. The client ids are public; their secrets go in the app secret (docs/deploy.md §5).
# A platform whose client id is empty is not offered to creators.
variable "tiktok_client_key" {
  description = "TikTok Login Kit client key."
  type        = string
  default     = ""
}

variable "meta_app_id" {
  description = "Meta app id (Facebook Login for Facebook Pages and Instagram)."
  type        = string
  default     = ""
}

variable "threads_app_id" {
  description = "Threads app id."
  type        = string
  default     = ""
}

variable "google_client_id" {
  description = "Google OAuth client id (YouTube)."
  type        = string
  default     = ""
}

variable "meta_graph_version" {
  description = "Graph API version for Facebook and Instagram calls."
  type        = string
  default     = "v25.0"
}
