# Copied next to the configuration as zz_embedded_aws_override.tf by infra/deploy_check.sh, with
# @ENDPOINT@ replaced by the moto server's URL. Never used for a real stage.
terraform {
  backend "local" {}
}

provider "aws" {
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {
    apigateway     = "@ENDPOINT@"
    cloudfront     = "@ENDPOINT@"
    cloudwatch     = "@ENDPOINT@"
    dynamodb       = "@ENDPOINT@"
    events         = "@ENDPOINT@"
    iam            = "@ENDPOINT@"
    kms            = "@ENDPOINT@"
    lambda         = "@ENDPOINT@"
    logs           = "@ENDPOINT@"
    s3             = "@ENDPOINT@"
    secretsmanager = "@ENDPOINT@"
    sns            = "@ENDPOINT@"
    sqs            = "@ENDPOINT@"
    sts            = "@ENDPOINT@"
  }
}
