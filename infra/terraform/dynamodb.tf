# One table per PynamoDB model in chalicelib/storage/models.py (tests/deploy/test_terraform_matches_code.py
# compares keys, attribute types, indexes and the TTL attribute with the model classes).
# Items carry `expires_at` (epoch seconds) and DynamoDB deletes them after that: the retention promise.

locals {
  tables = {
    accounts = {
      hash_key   = "pk"
      range_key  = "sk"
      attributes = { pk = "S", sk = "S", gsi1pk = "S", gsi1sk = "S" }
      indexes    = { gsi1 = { hash_key = "gsi1pk", range_key = "gsi1sk", projection = "ALL" } }
      ttl        = "expires_at"
    }
    connections = {
      hash_key   = "pk"
      range_key  = "sk"
      attributes = { pk = "S", sk = "S", gsi1pk = "S", gsi1sk = "S", sync_shard = "S", next_sync_at = "N" }
      indexes = {
        gsi1     = { hash_key = "gsi1pk", range_key = "gsi1sk", projection = "ALL" }
        sync_due = { hash_key = "sync_shard", range_key = "next_sync_at", projection = "ALL" }
      }
      ttl = "expires_at"
    }
    metrics = {
      hash_key   = "pk"
      range_key  = "sk"
      attributes = { pk = "S", sk = "S" }
      indexes    = {}
      ttl        = "expires_at"
    }
    posts = {
      hash_key   = "pk"
      range_key  = "sk"
      attributes = { pk = "S", sk = "S", gsi1pk = "S", gsi1sk = "S" }
      indexes    = { gsi1 = { hash_key = "gsi1pk", range_key = "gsi1sk", projection = "ALL" } }
      ttl        = "expires_at"
    }
    audit = {
      hash_key   = "pk"
      range_key  = "sk"
      attributes = { pk = "S", sk = "S", gsi1pk = "S", gsi1sk = "S" }
      indexes    = { gsi1 = { hash_key = "gsi1pk", range_key = "gsi1sk", projection = "ALL" } }
      ttl        = "expires_at"
    }
    privacy = {
      hash_key   = "pk"
      range_key  = "sk"
      attributes = { pk = "S", sk = "S", gsi1pk = "S", gsi1sk = "S" }
      indexes    = { gsi1 = { hash_key = "gsi1pk", range_key = "gsi1sk", projection = "ALL" } }
      ttl        = "expires_at"
    }
  }
}

resource "aws_dynamodb_table" "table" {
  for_each = local.tables
  #checkov:skip=CKV2_AWS_16:on-demand (PAY_PER_REQUEST) tables need no auto scaling

  name                        = "${local.name_prefix}-${each.key}"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = each.value.hash_key
  range_key                   = each.value.range_key
  deletion_protection_enabled = var.deletion_protection

  dynamic "attribute" {
    for_each = each.value.attributes
    content {
      name = attribute.key
      type = attribute.value
    }
  }

  dynamic "global_secondary_index" {
    for_each = each.value.indexes
    content {
      name            = global_secondary_index.key
      hash_key        = global_secondary_index.value.hash_key
      range_key       = global_secondary_index.value.range_key
      projection_type = global_secondary_index.value.projection
    }
  }

  ttl {
    enabled        = true
    attribute_name = each.value.ttl
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.data.arn
  }
}
