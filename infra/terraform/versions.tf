terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100.0, < 6.0.0"
    }
  }

  # Remote state: an S3 bucket with versioning and a DynamoDB lock table, one state file per stage.
  # Given at init time, e.g. `terraform init -backend-config=backends/prod.s3.tfbackend`
  # (see docs/deploy.md). `init -backend=false` (CI, deploy-check) ignores it.
  backend "s3" {}
}
