variable "name_prefix" {
  description = "Prefix of every resource name, e.g. \"baton-prod\": lowercase letters, digits and hyphens, 2-24 characters, starting with a letter."
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

variable "noncurrent_version_days" {
  description = "Days after which noncurrent object versions are deleted, in every bucket."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_days >= 1 && floor(var.noncurrent_version_days) == var.noncurrent_version_days
    error_message = "noncurrent_version_days must be a whole number >= 1."
  }
}

variable "abort_multipart_days" {
  description = "Days after which incomplete multipart uploads are aborted (and their parts deleted), in every bucket."
  type        = number
  default     = 7

  validation {
    condition     = var.abort_multipart_days >= 1 && floor(var.abort_multipart_days) == var.abort_multipart_days
    error_message = "abort_multipart_days must be a whole number >= 1."
  }
}

variable "access_log_retention_days" {
  description = "Days after which S3 server access log objects in the log bucket expire."
  type        = number
  default     = 365

  validation {
    condition     = var.access_log_retention_days >= 1 && floor(var.access_log_retention_days) == var.access_log_retention_days
    error_message = "access_log_retention_days must be a whole number >= 1."
  }
}

variable "force_destroy" {
  description = "Whether `terraform destroy` may delete the buckets with their objects. Keep false outside test accounts."
  type        = bool
  default     = false
}

variable "kms_admin_role_arns" {
  description = "IAM role ARNs that administer the KMS key (key management actions only, no encrypt/decrypt) through the key policy. Empty: the account root alone, i.e. whoever IAM policies of the account allow."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.kms_admin_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", arn))])
    error_message = "Every kms_admin_role_arns entry must be an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)."
  }
}

variable "deletion_window_in_days" {
  description = "Waiting period, in days, between scheduling the KMS key's deletion and its deletion (7-30)."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30 && floor(var.deletion_window_in_days) == var.deletion_window_in_days
    error_message = "deletion_window_in_days must be a whole number from 7 to 30."
  }
}
