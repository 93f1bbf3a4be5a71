# One origin for the browser: /api/* goes to the API Gateway stage (origin path /<stage>; Chalice
# routes carry the /api prefix), everything else to the web bucket through origin access control.
# Same origin means the session cookie can be Secure; HttpOnly; SameSite=Strict and no CORS is needed.
# Not created in the local apply (enable_cloudfront = false): moto does not model CloudFront fully.

locals {
  # Managed policies (IDs are fixed by AWS).
  cache_policy_caching_disabled         = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
  cache_policy_caching_optimized        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
  origin_request_policy_all_except_host = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
  api_origin_id                         = "api"
  web_origin_id                         = "web"
  media_origin                          = "https://${aws_s3_bucket.media.bucket_regional_domain_name}"
  exports_origin                        = "https://${aws_s3_bucket.exports.bucket_regional_domain_name}"
  default_content_security_policy = join("; ", [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: https:",
    "media-src 'self' ${local.media_origin}",
    "connect-src 'self' ${local.media_origin} ${local.exports_origin}",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ])
}

resource "aws_cloudfront_origin_access_control" "web" {
  count = var.enable_cloudfront ? 1 : 0

  name                              = "${local.name_prefix}-web"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_response_headers_policy" "security" {
  count = var.enable_cloudfront ? 1 : 0

  name = "${local.name_prefix}-security-headers"

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = 63072000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }
    content_security_policy {
      content_security_policy = var.content_security_policy != "" ? var.content_security_policy : local.default_content_security_policy
      override                = true
    }
    content_type_options {
      override = true
    }
    frame_options {
      frame_option = "DENY"
      override     = true
    }
    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }
    xss_protection {
      protection = true
      mode_block = true
      override   = true
    }
  }
}

resource "aws_cloudfront_distribution" "web" {
  count = var.enable_cloudfront ? 1 : 0
  #checkov:skip=CKV_AWS_68:WAF web ACL is a follow-up (docs/deploy.md); API stage throttling limits abuse meanwhile
  #checkov:skip=CKV2_AWS_47:no WAF yet (see CKV_AWS_68)
  #checkov:skip=CKV_AWS_86:standard logs need an ACL-enabled log bucket; API access logs cover /api/*
  #checkov:skip=CKV_AWS_310:one region per stage; no second origin to fail over to
  #checkov:skip=CKV_AWS_374:creators are world-wide; no geo restriction
  #checkov:skip=CKV2_AWS_42:a stage may start on the *.cloudfront.net name; production sets domain_name + certificate_arn (docs/deploy.md)
  #checkov:skip=CKV_AWS_174:TLS 1.2 is enforced whenever a certificate is given; the default *.cloudfront.net certificate only allows TLSv1

  enabled             = true
  is_ipv6_enabled     = true
  comment             = "${local.name_prefix} web app and API"
  default_root_object = "index.html"
  price_class         = "PriceClass_100"
  aliases             = var.domain_name != "" ? [var.domain_name] : []

  origin {
    origin_id                = local.web_origin_id
    domain_name              = aws_s3_bucket.web.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.web[0].id
  }

  origin {
    origin_id   = local.api_origin_id
    domain_name = "${aws_api_gateway_rest_api.api.id}.execute-api.${local.region}.amazonaws.com"
    origin_path = "/${aws_api_gateway_stage.api.stage_name}"

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  ordered_cache_behavior {
    path_pattern               = "/api/*"
    target_origin_id           = local.api_origin_id
    viewer_protocol_policy     = "https-only"
    allowed_methods            = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods             = ["GET", "HEAD"]
    cache_policy_id            = local.cache_policy_caching_disabled
    origin_request_policy_id   = local.origin_request_policy_all_except_host
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security[0].id
    compress                   = true
  }

  default_cache_behavior {
    target_origin_id           = local.web_origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    cache_policy_id            = local.cache_policy_caching_optimized
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security[0].id
    compress                   = true
  }

  # Client-side routes of the single-page app: serve index.html for unknown paths.
  custom_error_response {
    error_code         = 403
    response_code      = 200
    response_page_path = "/index.html"
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = var.certificate_arn == ""
    acm_certificate_arn            = var.certificate_arn != "" ? var.certificate_arn : null
    ssl_support_method             = var.certificate_arn != "" ? "sni-only" : null
    minimum_protocol_version       = var.certificate_arn != "" ? "TLSv1.2_2021" : "TLSv1"
  }

  lifecycle {
    precondition {
      condition     = var.domain_name == "" || var.certificate_arn != ""
      error_message = "domain_name needs certificate_arn (an ACM certificate in us-east-1)."
    }
  }
}
