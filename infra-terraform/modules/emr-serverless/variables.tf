variable "name_prefix" {
  description = "Prefix of every AWS resource name this module creates, e.g. \"baton-prod\": a lowercase letter, then 1-23 lowercase letters, digits or hyphens."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,23}$", var.name_prefix))
    error_message = "name_prefix must match ^[a-z][a-z0-9-]{1,23}$ (e.g. \"baton-prod\")."
  }
}

variable "tags" {
  description = "Tags applied to every taggable AWS resource this module creates."
  type        = map(string)
  default     = {}
}

variable "release_label" {
  description = "EMR release of the application, e.g. emr-7.5.0 (Spark 3.5)."
  type        = string
  default     = "emr-7.5.0"

  validation {
    condition     = can(regex("^emr-[0-9]+\\.[0-9]+\\.[0-9]+$", var.release_label))
    error_message = "release_label must look like emr-7.5.0."
  }
}

variable "architecture" {
  description = "CPU architecture of the application's workers: X86_64 or ARM64 (Graviton)."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.architecture)
    error_message = "architecture must be X86_64 or ARM64."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets the application's workers run in (at least two, in different Availability Zones)."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2 && alltrue([for id in var.private_subnet_ids : can(regex("^subnet-[0-9a-f]+$", id))])
    error_message = "private_subnet_ids must hold at least two subnet IDs (subnet-...)."
  }
}

variable "security_group_ids" {
  description = "Security groups of the application's workers: they need egress to the VPC endpoints (443), the S3 prefix list (443) and MSK (9098), and no ingress."
  type        = list(string)

  validation {
    condition     = length(var.security_group_ids) >= 1 && length(var.security_group_ids) <= 5 && alltrue([for id in var.security_group_ids : can(regex("^sg-[0-9a-f]+$", id))])
    error_message = "security_group_ids must hold 1 to 5 security group IDs (sg-...)."
  }
}

variable "max_vcpu" {
  description = "Most vCPUs all the application's workers may use at once, e.g. \"64 vCPU\"."
  type        = string
  default     = "64 vCPU"

  validation {
    condition     = can(regex("^[1-9][0-9]* ?vCPU$", var.max_vcpu))
    error_message = "max_vcpu must be a positive whole number of vCPUs, e.g. \"64 vCPU\"."
  }
}

variable "max_memory" {
  description = "Most memory all the application's workers may use at once, e.g. \"256 GB\"."
  type        = string
  default     = "256 GB"

  validation {
    condition     = can(regex("^[1-9][0-9]* ?GB$", var.max_memory))
    error_message = "max_memory must be a positive whole number of GB, e.g. \"256 GB\"."
  }
}

variable "idle_timeout_minutes" {
  description = "Minutes without job runs after which the application stops (it starts again on the next job run)."
  type        = number
  default     = 15

  validation {
    condition     = var.idle_timeout_minutes >= 1 && var.idle_timeout_minutes <= 10080 && floor(var.idle_timeout_minutes) == var.idle_timeout_minutes
    error_message = "idle_timeout_minutes must be a whole number from 1 to 10080 (7 days)."
  }
}

variable "landing_bucket_arn" {
  description = "ARN of the landing bucket (buckets module output landing_bucket_arn): read only (s3:GetObject on every object)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.landing_bucket_arn))
    error_message = "landing_bucket_arn must be an S3 bucket ARN, e.g. arn:aws:s3:::baton-prod-landing."
  }
}

variable "warehouse_bucket_arn" {
  description = "ARN of the warehouse bucket (buckets module output warehouse_bucket_arn): Iceberg data and metadata, read and write."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.warehouse_bucket_arn))
    error_message = "warehouse_bucket_arn must be an S3 bucket ARN, e.g. arn:aws:s3:::baton-prod-warehouse."
  }
}

variable "export_bucket_arn" {
  description = "ARN of the export bucket (buckets module output export_bucket_arn): read and write."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.export_bucket_arn))
    error_message = "export_bucket_arn must be an S3 bucket ARN, e.g. arn:aws:s3:::baton-prod-export."
  }
}

variable "artifact_object_arns" {
  description = "S3 object ARNs (a trailing * allowed, e.g. arn:aws:s3:::acme-artifacts/baton/*) that jobs only read: the stage runner jar, a spark-app's jar, pod templates, a shipped baton.properties. Empty: no such statement (the buckets above already cover objects stored there)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.artifact_object_arns : can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+$", arn))])
    error_message = "Each artifact_object_arns entry must be an S3 object ARN or object ARN pattern (arn:aws:s3:::<bucket>/<key or prefix*>), never a bare bucket or \"*\"."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer managed KMS key that encrypts the buckets (buckets module output kms_key_arn). A key ARN, not an alias."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias."
  }
}

variable "glue_database_names" {
  description = "Glue databases (Iceberg namespaces) whose tables jobs read and write (glue-athena module output database_names)."
  type        = list(string)

  validation {
    condition     = length(var.glue_database_names) > 0 && alltrue([for db in var.glue_database_names : can(regex("^[a-z0-9_]{1,255}$", db))])
    error_message = "glue_database_names must hold at least one name, each of lowercase letters, digits and underscores (Glue stores names in lowercase)."
  }
}

variable "msk_cluster_arn" {
  description = "ARN of the MSK cluster (msk module output cluster_arn), provisioned or serverless."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kafka:[a-z0-9-]+:[0-9]{12}:cluster/[A-Za-z0-9-]+/[A-Za-z0-9-]+$", var.msk_cluster_arn))
    error_message = "msk_cluster_arn must be an MSK cluster ARN: arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>."
  }
}

variable "msk_cluster_name" {
  description = "Name of the MSK cluster (msk module output cluster_name): part of its topic and group ARNs."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]{1,64}$", var.msk_cluster_name))
    error_message = "msk_cluster_name must be 1-64 letters, digits or hyphens."
  }
}

variable "msk_cluster_uuid" {
  description = "UUID of the MSK cluster (msk module output cluster_uuid, the last segment of its ARN): part of its topic and group ARNs."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]+$", var.msk_cluster_uuid))
    error_message = "msk_cluster_uuid must be the last segment of the cluster ARN (letters, digits, hyphens)."
  }
}

variable "permissions_boundary_arn" {
  description = "ARN of an IAM policy set as permissions boundary on every role this module creates; null: none."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be an IAM policy ARN (arn:aws:iam::<account>:policy/<name>) or null."
  }
}
