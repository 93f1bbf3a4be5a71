# Two customer managed keys, both rotated yearly:
# - tokens: envelope encryption of platform OAuth tokens by the application (data keys + AES-256-GCM).
#   Each function may use it exactly as its iam_actions.json entry says (resource `token_key`), and
#   encrypt/decrypt only with an encryption context.
# - data: encryption at rest of tables, queues, buckets, secrets, logs and the alarm topic. Principals
#   of this account may use it only through those services (kms:ViaService), CloudWatch Logs and
#   CloudWatch alarms (to the SNS topic) by service principal.

locals {
  key_admin_actions = [
    "kms:CancelKeyDeletion", "kms:Create*", "kms:Delete*", "kms:Describe*", "kms:Disable*",
    "kms:Enable*", "kms:Get*", "kms:List*", "kms:Put*", "kms:Revoke*", "kms:ScheduleKeyDeletion",
    "kms:TagResource", "kms:UntagResource", "kms:Update*",
  ]
  account_root_arn = "arn:${local.partition}:iam::${local.account_id}:root"

  # Token key actions per function, straight from iam_actions.json.
  token_key_actions = {
    for name, entry in local.iam_actions : name => sort(distinct(flatten([
      for s in entry.statements : s.actions if contains(s.resources, "token_key")
    ])))
  }
  token_key_crypto_actions = {
    for name, actions in local.token_key_actions : name => [for a in actions : a if a != "kms:DescribeKey"]
  }
  # What operator commands do with the token key (re-sealing tokens), for var.operator_role_arns.
  operator_token_key_actions = sort(distinct(flatten([
    for entry in values(local.operator_actions) : [
      for s in entry.statements : s.actions if contains(s.resources, "token_key")
    ]
  ])))
}

data "aws_iam_policy_document" "tokens_key" {
  #checkov:skip=CKV_AWS_111:key policy: resource "*" is this key; use is limited to named roles with an encryption context
  #checkov:skip=CKV_AWS_356:key policy: resource "*" is this key
  statement {
    sid       = "KeyAdministration"
    actions   = local.key_admin_actions
    resources = ["*"] # in a key policy "*" means this key
    principals {
      type        = "AWS"
      identifiers = [local.account_root_arn]
    }
  }

  # Envelope encryption only with an encryption context (workspace + connection), so a role cannot
  # decrypt a token blob outside the record it belongs to.
  dynamic "statement" {
    for_each = { for name, actions in local.token_key_crypto_actions : name => actions if length(actions) > 0 }
    content {
      sid       = "TokenVault${replace(title(replace(statement.key, "-", " ")), " ", "")}"
      actions   = statement.value
      resources = ["*"]
      principals {
        type        = "AWS"
        identifiers = [aws_iam_role.function[statement.key].arn]
      }
      condition {
        test     = "Null"
        variable = "kms:EncryptionContextKeys"
        values   = ["false"]
      }
    }
  }

  # Operators re-sealing tokens after a key change, only with an encryption context as the functions.
  dynamic "statement" {
    for_each = length(var.operator_role_arns) > 0 ? ["operators"] : []
    content {
      sid       = "TokenVaultOperators"
      actions   = [for a in local.operator_token_key_actions : a if a != "kms:DescribeKey"]
      resources = ["*"]
      principals {
        type        = "AWS"
        identifiers = var.operator_role_arns
      }
      condition {
        test     = "Null"
        variable = "kms:EncryptionContextKeys"
        values   = ["false"]
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.operator_role_arns) > 0 && contains(local.operator_token_key_actions, "kms:DescribeKey") ? ["operators"] : []
    content {
      sid       = "DescribeKeyOperators"
      actions   = ["kms:DescribeKey"]
      resources = ["*"]
      principals {
        type        = "AWS"
        identifiers = var.operator_role_arns
      }
    }
  }

  dynamic "statement" {
    for_each = { for name, actions in local.token_key_actions : name => actions if contains(actions, "kms:DescribeKey") }
    content {
      sid       = "DescribeKey${replace(title(replace(statement.key, "-", " ")), " ", "")}"
      actions   = ["kms:DescribeKey"]
      resources = ["*"]
      principals {
        type        = "AWS"
        identifiers = [aws_iam_role.function[statement.key].arn]
      }
    }
  }
}

resource "aws_kms_key" "tokens" {
  description             = "${local.name_prefix} platform token envelope encryption"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
  policy                  = data.aws_iam_policy_document.tokens_key.json
}

resource "aws_kms_alias" "tokens" {
  name          = "alias/${local.name_prefix}-tokens"
  target_key_id = aws_kms_key.tokens.key_id
}

data "aws_iam_policy_document" "data_key" {
  statement {
    sid       = "KeyAdministration"
    actions   = local.key_admin_actions
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [local.account_root_arn]
    }
  }

  statement {
    sid       = "AccountUseThroughServices"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:DescribeKey", "kms:CreateGrant"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [local.account_root_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:CallerAccount"
      values   = [local.account_id]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values = [for service in ["dynamodb", "sqs", "s3", "secretsmanager", "lambda", "sns"] :
      "${service}.${local.region}.amazonaws.com"]
    }
  }

  statement {
    sid       = "CloudWatchLogs"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"]
    }
  }

  statement {
    sid       = "CloudWatchAlarmsToEncryptedTopic"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_kms_key" "data" {
  description             = "${local.name_prefix} encryption at rest (tables, queues, buckets, secrets, logs)"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
  policy                  = data.aws_iam_policy_document.data_key.json
}

resource "aws_kms_alias" "data" {
  name          = "alias/${local.name_prefix}-data"
  target_key_id = aws_kms_key.data.key_id
}
