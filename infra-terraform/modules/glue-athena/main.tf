data "aws_caller_identity" "current" {}

locals {
  athena_output_location = "s3://${var.athena_results_bucket_name}/athena-results/"
}

################################################################################
# Glue Data Catalog databases (Iceberg tables under s3://<warehouse>/<database>/)
################################################################################

resource "aws_glue_catalog_database" "this" {
  for_each = toset(var.databases)

  name         = each.value
  description  = "Baton ${var.name_prefix}: Iceberg tables of ${each.value}"
  location_uri = "s3://${var.warehouse_bucket_name}/${each.value}/"

  tags = var.tags
}

################################################################################
# Athena workgroup: enforced settings, SSE-KMS results, per-query scan limit
################################################################################

resource "aws_athena_workgroup" "this" {
  name          = var.name_prefix
  description   = "Baton ${var.name_prefix}: queries of the Iceberg tables; results encrypted with the customer key"
  state         = "ENABLED"
  force_destroy = false

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.bytes_scanned_cutoff_per_query
    requester_pays_enabled             = false

    result_configuration {
      output_location       = local.athena_output_location
      expected_bucket_owner = data.aws_caller_identity.current.account_id

      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = var.kms_key_arn
      }
    }

    engine_version {
      selected_engine_version = "AUTO"
    }
  }

  tags = merge(var.tags, { Name = var.name_prefix })
}
