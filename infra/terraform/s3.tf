# media: uploads by presigned URL, deleted var.media_retention_days after upload (lifecycle; 7 by default).
# exports: data exports, downloaded once by a short-lived presigned URL, deleted after
#          var.export_retention_days.
# web: the static web app, readable only by CloudFront (origin access control, cloudfront.tf).
# All three: public access blocked, owner-enforced (no ACLs), TLS-only bucket policy.

locals {
  buckets = {
    media   = { expire_days = var.media_retention_days }
    exports = { expire_days = var.export_retention_days }
    web     = { expire_days = null }
  }
}

resource "aws_s3_bucket" "media" {
  #checkov:skip=CKV_AWS_18:objects are personal data reached only by presigned URL; CloudTrail data events are the audit trail (docs/deploy.md)
  #checkov:skip=CKV_AWS_21:versioning would keep deleted personal data; deletion must be final
  #checkov:skip=CKV_AWS_144:no cross-region copies of personal data
  #checkov:skip=CKV2_AWS_62:no consumer of object events
  bucket        = "${local.name_prefix}-media-${local.account_id}"
  force_destroy = !var.deletion_protection
}

resource "aws_s3_bucket" "exports" {
  #checkov:skip=CKV_AWS_18:objects are personal data reached only by presigned URL; CloudTrail data events are the audit trail (docs/deploy.md)
  #checkov:skip=CKV_AWS_21:versioning would keep deleted personal data; exports are short-lived by design
  #checkov:skip=CKV_AWS_144:no cross-region copies of personal data
  #checkov:skip=CKV2_AWS_62:no consumer of object events
  bucket        = "${local.name_prefix}-exports-${local.account_id}"
  force_destroy = !var.deletion_protection
}

resource "aws_s3_bucket" "web" {
  #checkov:skip=CKV_AWS_18:public static files; CloudFront is the only reader
  #checkov:skip=CKV_AWS_144:static build output, rebuilt from the repository in any region
  #checkov:skip=CKV2_AWS_62:no consumer of object events
  #checkov:skip=CKV_AWS_145:public static web app; SSE-S3 lets CloudFront OAC read it without a KMS grant
  bucket        = "${local.name_prefix}-web-${local.account_id}"
  force_destroy = !var.deletion_protection
}

locals {
  bucket_ids = {
    media   = aws_s3_bucket.media.id
    exports = aws_s3_bucket.exports.id
    web     = aws_s3_bucket.web.id
  }
  bucket_arns = {
    media   = aws_s3_bucket.media.arn
    exports = aws_s3_bucket.exports.arn
    web     = aws_s3_bucket.web.arn
  }
}

resource "aws_s3_bucket_public_access_block" "media" {
  bucket                  = aws_s3_bucket.media.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_public_access_block" "exports" {
  bucket                  = aws_s3_bucket.exports.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_public_access_block" "web" {
  bucket                  = aws_s3_bucket.web.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "bucket" {
  for_each = local.buckets

  bucket = local.bucket_ids[each.key]
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# media and exports: SSE-KMS with the data key. web: SSE-S3, since its files are public anyway and
# CloudFront reads them with no KMS grant to manage.
resource "aws_s3_bucket_server_side_encryption_configuration" "private" {
  for_each = { media = aws_s3_bucket.media.id, exports = aws_s3_bucket.exports.id }

  bucket = each.value
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "web" {
  bucket = aws_s3_bucket.web.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "web" {
  bucket = aws_s3_bucket.web.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "private" {
  for_each = { for name, b in local.buckets : name => b if b.expire_days != null }

  bucket = local.bucket_ids[each.key]
  rule {
    id     = "expire-${each.key}"
    status = "Enabled"
    filter {}
    expiration {
      days = each.value.expire_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "web" {
  bucket = aws_s3_bucket.web.id
  rule {
    id     = "expire-old-releases"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

# Browsers upload media and download exports straight from S3 by presigned URL.
resource "aws_s3_bucket_cors_configuration" "media" {
  bucket = aws_s3_bucket.media.id
  cors_rule {
    allowed_methods = ["PUT", "GET"]
    allowed_origins = [local.public_base_url]
    allowed_headers = ["content-type", "content-md5", "x-amz-*"]
    max_age_seconds = 3600
  }
}

resource "aws_s3_bucket_cors_configuration" "exports" {
  bucket = aws_s3_bucket.exports.id
  cors_rule {
    allowed_methods = ["GET"]
    allowed_origins = [local.public_base_url]
    max_age_seconds = 3600
  }
}

data "aws_iam_policy_document" "bucket" {
  for_each = local.buckets

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.bucket_arns[each.key], "${local.bucket_arns[each.key]}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  dynamic "statement" {
    for_each = each.key == "web" && var.enable_cloudfront ? [1] : []
    content {
      sid       = "CloudFrontOriginAccessControl"
      actions   = ["s3:GetObject"]
      resources = ["${local.bucket_arns[each.key]}/*"]
      principals {
        type        = "Service"
        identifiers = ["cloudfront.amazonaws.com"]
      }
      condition {
        test     = "StringEquals"
        variable = "AWS:SourceArn"
        values   = [aws_cloudfront_distribution.web[0].arn]
      }
    }
  }
}

resource "aws_s3_bucket_policy" "bucket" {
  for_each = local.buckets

  bucket = local.bucket_ids[each.key]
  policy = data.aws_iam_policy_document.bucket[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.media, aws_s3_bucket_public_access_block.exports, aws_s3_bucket_public_access_block.web]
}
