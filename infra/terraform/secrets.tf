# One secret, a JSON document with the platform client secrets and the session signing key(s).
# Terraform creates the empty secret; the operator puts the value (docs/deploy.md, "Secrets to set"),
# so no secret value ever lands in Terraform state.

resource "aws_secretsmanager_secret" "app" {
  #checkov:skip=CKV2_AWS_57:client secrets are issued by the platforms and the session key is rotated by the runbook in docs/deploy.md; no rotation Lambda can do either
  name                    = "${local.name_prefix}/app"
  description             = "Platform client secrets and session signing key of ${local.name_prefix}"
  kms_key_id              = aws_kms_key.data.arn
  recovery_window_in_days = var.deletion_protection ? 30 : 0
}
