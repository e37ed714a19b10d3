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

variable "landing_bucket_name" {
  description = "Name of the landing bucket whose \"Object Created\" EventBridge events are routed (the bucket must have EventBridge notifications on, as module buckets does)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.landing_bucket_name))
    error_message = "landing_bucket_name must be an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)."
  }
}

variable "landing_prefixes" {
  description = "Key prefixes in the landing bucket whose new objects are routed, each ending in \"/\" (e.g. [\"tpch/\", \"sales/\"]). Letters, digits and . _ - only, so the prefix match does not depend on how keys are encoded."
  type        = list(string)

  validation {
    condition     = length(var.landing_prefixes) > 0 && alltrue([for prefix in var.landing_prefixes : can(regex("^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*/$", prefix))])
    error_message = "landing_prefixes must hold at least one prefix; each must end in \"/\", not start with \"/\", and use letters, digits, \".\", \"_\", \"-\" between slashes (e.g. \"tpch/\")."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer managed KMS key encrypting the queues (module buckets' kms_key_arn). Its key policy must let events.amazonaws.com use kms:GenerateDataKey and kms:Decrypt, as module buckets' key policy does."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key id>)."
  }
}

variable "visibility_timeout_seconds" {
  description = "Visibility timeout of the queue, in seconds: longer than the connector takes to process a message (61-43200)."
  type        = number
  default     = 300

  validation {
    condition     = var.visibility_timeout_seconds > 60 && var.visibility_timeout_seconds <= 43200 && floor(var.visibility_timeout_seconds) == var.visibility_timeout_seconds
    error_message = "visibility_timeout_seconds must be a whole number greater than 60 and at most 43200."
  }
}

variable "max_receive_count" {
  description = "Receives of a message before SQS moves it to the dead-letter queue (1-1000)."
  type        = number
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000 && floor(var.max_receive_count) == var.max_receive_count
    error_message = "max_receive_count must be a whole number from 1 to 1000."
  }
}

variable "message_retention_seconds" {
  description = "How long the main queue keeps a message, in seconds (60-1209600). The dead-letter queue keeps messages 14 days; SQS keeps a message's original enqueue time when it moves it there, so keep this shorter than 14 days."
  type        = number
  default     = 345600

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600 && floor(var.message_retention_seconds) == var.message_retention_seconds
    error_message = "message_retention_seconds must be a whole number from 60 to 1209600 (14 days)."
  }
}

variable "emr_state_change_rules" {
  description = "Whether to also route terminal EMR job state changes into the queue: \"EMR Serverless Job Run State Change\" (aws.emr-serverless), \"EMR Step Status Change\" (aws.emr) and EMR on EKS \"EMR Job Run State Change\" / \"EmrContainers Job Run State Change\" (aws.emr-containers)."
  type        = bool
  default     = true
}
