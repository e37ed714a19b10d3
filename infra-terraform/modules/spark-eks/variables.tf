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

variable "namespace" {
  description = "Kubernetes namespace this module creates for Baton's controller and Spark pods (a DNS label)."
  type        = string
  default     = "baton"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a DNS label: lowercase letters, digits and hyphens, at most 63 characters."
  }
}

variable "pod_security_enforce" {
  description = "Pod Security Standard enforced on the namespace (label pod-security.kubernetes.io/enforce); \"restricted\" is also warned and audited. Baton's Spark pod templates meet \"baseline\" (they set no seccomp profile, which \"restricted\" requires)."
  type        = string
  default     = "baseline"

  validation {
    condition     = contains(["baseline", "restricted"], var.pod_security_enforce)
    error_message = "pod_security_enforce must be \"baseline\" or \"restricted\"."
  }
}

variable "spark_operator_enabled" {
  description = "Whether the controller may create, watch and delete SparkApplications (sparkoperator.k8s.io) in the namespace: set when a launcher profile of type spark-operator is used."
  type        = bool
  default     = false
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

variable "controller_checkpoint_prefix" {
  description = "Key prefix in the warehouse bucket of the controller's checkpoint, launch journal and stage logs (controller.checkpoint-location = s3a://<warehouse bucket>/<prefix>checkpoint). Ends with \"/\"."
  type        = string
  default     = "baton/controller/"

  validation {
    condition     = can(regex("^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*/$", var.controller_checkpoint_prefix))
    error_message = "controller_checkpoint_prefix must be a relative key prefix ending in \"/\", e.g. baton/controller/."
  }
}

variable "emr_serverless_application_arns" {
  description = "EMR Serverless application ARNs the controller's emr-serverless launcher profiles start job runs on (emr-serverless module output application_arn). Empty: no EMR Serverless statements."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.emr_serverless_application_arns : can(regex("^arn:aws[a-z-]*:emr-serverless:[a-z0-9-]+:[0-9]{12}:/applications/[0-9a-z]+$", arn))])
    error_message = "Each emr_serverless_application_arns entry must be arn:aws:emr-serverless:<region>:<account>:/applications/<id>."
  }
}

variable "emr_virtual_cluster_arns" {
  description = "EMR on EKS virtual cluster ARNs the controller's emr-containers launcher profiles start job runs on (emr-on-eks module output virtual_cluster_arn). Empty: no EMR on EKS statements."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.emr_virtual_cluster_arns : can(regex("^arn:aws[a-z-]*:emr-containers:[a-z0-9-]+:[0-9]{12}:/virtualclusters/[0-9a-z]+$", arn))])
    error_message = "Each emr_virtual_cluster_arns entry must be arn:aws:emr-containers:<region>:<account>:/virtualclusters/<id>."
  }
}

variable "emr_cluster_arns" {
  description = "EMR on EC2 cluster ARNs the controller's emr-steps launcher profiles add steps to. Empty: no EMR step statements."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.emr_cluster_arns : can(regex("^arn:aws[a-z-]*:elasticmapreduce:[a-z0-9-]+:[0-9]{12}:cluster/j-[0-9A-Z]+$", arn))])
    error_message = "Each emr_cluster_arns entry must be arn:aws:elasticmapreduce:<region>:<account>:cluster/j-<id>."
  }
}

variable "emr_job_role_arns" {
  description = "Job (execution) role ARNs the controller may start EMR jobs with (launchers.<name>.execution-role-arn; emr-serverless and emr-on-eks module outputs job_role_arn): iam:PassRole to EMR Serverless, the emr-containers:ExecutionRoleArn condition of EMR on EKS StartJobRun, and the only runtime roles allowed on EMR steps. Required when emr_serverless_application_arns or emr_virtual_cluster_arns is given."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.emr_job_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", arn))])
    error_message = "Each emr_job_role_arns entry must be an IAM role ARN: arn:aws:iam::<account>:role/<name>."
  }
}
