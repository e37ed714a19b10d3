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

variable "eks_cluster_name" {
  description = "Name of the existing EKS cluster the virtual cluster runs on. Its authentication mode must admit EMR on EKS (API or API_AND_CONFIG_MAP: CreateVirtualCluster then grants the EMR service-linked role access to the namespace by itself)."
  type        = string

  validation {
    condition     = can(regex("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$", var.eks_cluster_name))
    error_message = "eks_cluster_name must be an EKS cluster name: 1-100 letters, digits, hyphens or underscores, starting with a letter or digit."
  }
}

variable "namespace" {
  description = "Existing Kubernetes namespace the virtual cluster's jobs run in (e.g. the spark-eks module's namespace output, or a namespace of its own)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a DNS label: lowercase letters, digits and hyphens, at most 63 characters."
  }
}

variable "oidc_provider_arn" {
  description = "ARN of the EKS cluster's IAM OIDC provider (e.g. terraform-aws-modules/eks output oidc_provider_arn): the federated principal of the IRSA trust policies."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/.+$", var.oidc_provider_arn))
    error_message = "oidc_provider_arn must be an IAM OIDC provider ARN: arn:aws:iam::<account>:oidc-provider/<issuer host and path>."
  }
}

variable "oidc_provider_url" {
  description = "Issuer URL of the EKS cluster's OIDC provider WITHOUT https://, e.g. oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE: the prefix of the :sub and :aud condition keys."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]*\\.[a-z]{2,}(/[A-Za-z0-9._-]+)*$", var.oidc_provider_url))
    error_message = "oidc_provider_url must be the issuer host and path without a scheme, e.g. oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE."
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
