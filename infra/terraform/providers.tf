provider "aws" {
  region = var.region

  default_tags {
    tags = {
      app        = var.app_name
      stage      = var.stage
      managed_by = "terraform"
    }
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}
