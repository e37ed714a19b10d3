variable "name_prefix" {
  description = "Prefix of every name this module creates, e.g. \"baton-prod\" (the connector is <name_prefix>-s3-events)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,23}$", var.name_prefix))
    error_message = "name_prefix must be 2-24 characters: a lowercase letter, then lowercase letters, digits or hyphens."
  }
}

variable "tags" {
  description = "Tags applied to every taggable resource."
  type        = map(string)
  default     = {}
}

variable "plugin_bucket_arn" {
  description = "ARN of the S3 bucket holding the connector's plugin zip."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.plugin_bucket_arn))
    error_message = "plugin_bucket_arn must be an S3 bucket ARN (arn:aws:s3:::<bucket>)."
  }
}

variable "plugin_object_key" {
  description = "Key of the plugin zip in that bucket (ingest-connectors/target/baton-ingest-connectors-<version>-plugin.zip uploaded)."
  type        = string

  validation {
    condition     = can(regex("^[^/].*\\.zip$", var.plugin_object_key))
    error_message = "plugin_object_key must be an S3 key (no leading /) ending in .zip."
  }
}

variable "plugin_object_version" {
  description = "S3 version ID of the plugin zip to pin (the bucket is versioned); null: the current version when the plugin is created."
  type        = string
  default     = null

  validation {
    condition     = var.plugin_object_version == null || can(regex("^[A-Za-z0-9._-]{1,1024}$", var.plugin_object_version))
    error_message = "plugin_object_version must be an S3 version ID or null."
  }
}

variable "msk_cluster_arn" {
  description = "ARN of the MSK cluster the connector writes to (output cluster_arn of the msk module)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kafka:[a-z0-9-]+:[0-9]{12}:cluster/[0-9A-Za-z-]+/[0-9A-Za-z-]+$", var.msk_cluster_arn))
    error_message = "msk_cluster_arn must be an MSK cluster ARN (arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>)."
  }
}

variable "msk_cluster_name" {
  description = "Name of the MSK cluster, the <cluster name> of its IAM topic and group ARNs."
  type        = string

  validation {
    condition     = can(regex("^[0-9A-Za-z][0-9A-Za-z-]{0,63}$", var.msk_cluster_name))
    error_message = "msk_cluster_name must be an MSK cluster name (letters, digits, hyphens; up to 64 characters)."
  }
}

variable "msk_cluster_uuid" {
  description = "UUID of the MSK cluster (last segment of its ARN), the <cluster uuid> of its IAM topic and group ARNs."
  type        = string

  validation {
    condition     = can(regex("^[0-9A-Za-z-]+$", var.msk_cluster_uuid))
    error_message = "msk_cluster_uuid must be the last segment of the cluster ARN (letters, digits, hyphens)."
  }
}

variable "bootstrap_brokers_sasl_iam" {
  description = "Bootstrap servers of the cluster for SASL/IAM over TLS (host:9098,...)."
  type        = string

  validation {
    condition     = can(regex("^[^,:]+:9098(,[^,:]+:9098)*$", var.bootstrap_brokers_sasl_iam))
    error_message = "bootstrap_brokers_sasl_iam must be a comma-separated list of host:9098."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets the connector's workers get their network interfaces in."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2 && alltrue([for id in var.private_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", id))])
    error_message = "private_subnet_ids must hold at least 2 subnet IDs (subnet-...)."
  }
}

variable "security_group_ids" {
  description = "Security groups of the connector's workers: must be among the MSK cluster's client security groups and reach the SQS, S3 and EMR endpoints (see README)."
  type        = list(string)

  validation {
    condition     = length(var.security_group_ids) >= 1 && length(var.security_group_ids) <= 5 && alltrue([for id in var.security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", id))])
    error_message = "security_group_ids must hold 1 to 5 security group IDs (sg-...)."
  }
}

variable "queue_url" {
  description = "URL of the SQS queue of object and EMR events (output queue_url of the object-events module): the connector's sqs.queue.url."
  type        = string

  validation {
    condition     = can(regex("^https://sqs\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[0-9]{12}/[A-Za-z0-9_-]{1,80}$", var.queue_url))
    error_message = "queue_url must be an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<queue>)."
  }
}

variable "queue_arn" {
  description = "ARN of the same SQS queue (receive and delete are granted on it)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}$", var.queue_arn))
    error_message = "queue_arn must be an SQS queue ARN (arn:aws:sqs:<region>:<account>:<queue>)."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer managed KMS key encrypting the queue, the landing bucket's objects and the connector's log group. Its key policy must allow logs.<region>.amazonaws.com (see README)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-zA-Z-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "landing_bucket_arn" {
  description = "ARN of the landing bucket: the connector's s3.bucket filter, and the bucket of the flag files."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.landing_bucket_arn))
    error_message = "landing_bucket_arn must be an S3 bucket ARN (arn:aws:s3:::<bucket>)."
  }
}

variable "flag_prefixes" {
  description = "Key prefixes in the landing bucket under which legacy flag files (flag.key.pattern) arrive: s3:GetObject is granted on them only. Empty: no S3 read at all."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for prefix in var.flag_prefixes : can(regex("^[^/*?][^*?]*$", prefix))])
    error_message = "Each flag prefix must be a non-empty key prefix without a leading / and without * or ?."
  }
}

variable "emr_serverless_application_arns" {
  description = "ARNs of the EMR Serverless applications whose job runs report to Baton (emr-serverless:GetJobRun on their job runs)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.emr_serverless_application_arns : can(regex("^arn:aws[a-z-]*:emr-serverless:[a-z0-9-]+:[0-9]{12}:/applications/[0-9a-z]+$", arn))])
    error_message = "Each EMR Serverless application ARN must look like arn:aws:emr-serverless:<region>:<account>:/applications/<id>."
  }
}

variable "emr_cluster_arns" {
  description = "ARNs of the EMR on EC2 clusters whose steps report to Baton (elasticmapreduce:DescribeStep on them)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.emr_cluster_arns : can(regex("^arn:aws[a-z-]*:elasticmapreduce:[a-z0-9-]+:[0-9]{12}:cluster/j-[0-9A-Z]+$", arn))])
    error_message = "Each EMR cluster ARN must look like arn:aws:elasticmapreduce:<region>:<account>:cluster/j-<id>."
  }
}

variable "emr_virtual_cluster_arns" {
  description = "ARNs of the EMR on EKS virtual clusters whose job runs report to Baton (emr-containers:DescribeJobRun on their job runs)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.emr_virtual_cluster_arns : can(regex("^arn:aws[a-z-]*:emr-containers:[a-z0-9-]+:[0-9]{12}:/virtualclusters/[0-9a-z]+$", arn))])
    error_message = "Each EMR on EKS virtual cluster ARN must look like arn:aws:emr-containers:<region>:<account>:/virtualclusters/<id>."
  }
}

variable "kafkaconnect_version" {
  description = "Kafka Connect version of the MSK Connect workers."
  type        = string
  default     = "3.7.x"

  validation {
    condition     = contains(["2.7.1", "3.7.x"], var.kafkaconnect_version)
    error_message = "kafkaconnect_version must be one MSK Connect offers: 2.7.1 or 3.7.x."
  }
}

variable "tasks_max" {
  description = "The connector's tasks.max: SQS receivers polling the queue in parallel."
  type        = number
  default     = 2

  validation {
    condition     = var.tasks_max >= 1 && var.tasks_max <= 100 && floor(var.tasks_max) == var.tasks_max
    error_message = "tasks_max must be a whole number from 1 to 100."
  }
}

variable "mcu_count" {
  description = "MSK Connect units (1 vCPU, 4 GiB each) per worker."
  type        = number
  default     = 1

  validation {
    condition     = contains([1, 2, 4, 8], var.mcu_count)
    error_message = "mcu_count must be 1, 2, 4 or 8."
  }
}

variable "worker_count" {
  description = "Number of workers (provisioned capacity); the tasks are spread over them."
  type        = number
  default     = 2

  validation {
    condition     = var.worker_count >= 1 && var.worker_count <= 10 && floor(var.worker_count) == var.worker_count
    error_message = "worker_count must be a whole number from 1 to 10."
  }
}

variable "log_retention_days" {
  description = "Retention of the connector's worker log group, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
  }
}

variable "additional_connector_configuration" {
  description = "Further connector keys (e.g. s3.prefixes, flag.key.pattern, flag.pipeline, flag.stages, emr.lookup). The keys this module sets, static credentials and errors.tolerance are refused."
  type        = map(string)
  default     = {}

  validation {
    condition = length(setintersection(keys(var.additional_connector_configuration), [
      "connector.class", "tasks.max", "mode", "sqs.queue.url", "sqs.region", "s3.region", "s3.bucket",
      "topic", "control.topic", "dlq.topic", "errors.tolerance", "key.converter", "value.converter",
      "sqs.access.key.id", "sqs.secret.access.key", "s3.access.key.id", "s3.secret.access.key",
      "emr.access.key.id", "emr.secret.access.key",
    ])) == 0
    error_message = "additional_connector_configuration must not set the keys the module sets (connector.class, tasks.max, mode, sqs.queue.url, sqs.region, s3.region, s3.bucket, topic, control.topic, dlq.topic, errors.tolerance, key/value.converter) nor static credentials (*.access.key.id, *.secret.access.key): the workers use the service execution role."
  }
}
