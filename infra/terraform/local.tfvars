# The embedded AWS (moto server) used by `make deploy-check` (infra/deploy_check.sh): a throw-away
# stage. lambda_package_path and api_openapi_path are given on the command line by the script.
stage               = "local"
region              = "us-east-1"
deletion_protection = false
log_retention_days  = 1
# Left out of the local apply only: moto does not model them (see docs/deploy.md).
enable_cloudfront           = false
enable_redrive_allow_policy = false
