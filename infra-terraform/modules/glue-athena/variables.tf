variable "name_prefix" {
  description = "Prefix of every resource name, e.g. \"baton-prod\": lowercase letters, digits and hyphens, 2-24 characters, starting with a letter. Also the Athena workgroup's name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,23}$", var.name_prefix))
    error_message = "name_prefix must match ^[a-z][a-z0-9-]{1,23}$ (e.g. \"baton-prod\")."
  }
}

variable "tags" {
  description = "Tags applied to every taggable resource."
  type        = map(string)
  default     = {}
}

variable "databases" {
  description = "Glue databases to create (Iceberg namespaces Baton writes), each located at s3://<warehouse_bucket_name>/<database>/."
  type        = list(string)
  default     = ["raw", "curated", "baton_system"]

  validation {
    condition     = length(var.databases) >= 1 && length(var.databases) == length(distinct(var.databases)) && alltrue([for name in var.databases : can(regex("^[a-z][a-z0-9_]{0,254}$", name))])
    error_message = "databases must hold at least one distinct name of lowercase letters, digits and underscores, starting with a letter (Glue and Athena lowercase names)."
  }
}

variable "warehouse_bucket_name" {
  description = "Name of the warehouse bucket holding the tables (module buckets' warehouse_bucket_name)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.warehouse_bucket_name))
    error_message = "warehouse_bucket_name must be an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)."
  }
}

variable "athena_results_bucket_name" {
  description = "Name of the bucket Athena writes query results to, under athena-results/ (module buckets' export or warehouse bucket); it must belong to this account."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.athena_results_bucket_name))
    error_message = "athena_results_bucket_name must be an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer managed KMS key encrypting Athena query results (module buckets' kms_key_arn)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key id>)."
  }
}

variable "bytes_scanned_cutoff_per_query" {
  description = "Most bytes one query of the workgroup may scan before Athena cancels it (at least 10 MB = 10485760). Default 10 GiB."
  type        = number
  default     = 10737418240

  validation {
    condition     = var.bytes_scanned_cutoff_per_query >= 10485760 && floor(var.bytes_scanned_cutoff_per_query) == var.bytes_scanned_cutoff_per_query
    error_message = "bytes_scanned_cutoff_per_query must be a whole number of bytes >= 10485760 (10 MB)."
  }
}
