variable "name_prefix" {
  description = "Prefix of every name this module creates, e.g. \"baton-prod\" (the cluster is <name_prefix>-msk)."
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

variable "mode" {
  description = "\"serverless\" (aws_msk_serverless_cluster: IAM and TLS always on, AWS-owned encryption key) or \"provisioned\" (aws_msk_cluster with brokers in the private subnets, encrypted with kms_key_arn)."
  type        = string

  validation {
    condition     = contains(["serverless", "provisioned"], var.mode)
    error_message = "mode must be \"serverless\" or \"provisioned\"."
  }
}

variable "vpc_id" {
  description = "ID of the VPC the cluster and its security group live in."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must be a VPC ID (vpc-...)."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets, one per availability zone, for the brokers' (provisioned: 2 or 3) or the cluster's (serverless: 2 to 5) network interfaces."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2 && alltrue([for id in var.private_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", id))])
    error_message = "private_subnet_ids must hold at least 2 subnet IDs (subnet-...)."
  }
}

variable "client_security_group_ids" {
  description = "Security groups of the Kafka clients (controller, MSK Connect, Spark): the only sources admitted to the cluster, on port 9098 (SASL/IAM over TLS)."
  type        = list(string)

  validation {
    condition     = length(var.client_security_group_ids) >= 1 && alltrue([for id in var.client_security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", id))])
    error_message = "client_security_group_ids must hold at least one security group ID (sg-...)."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer managed KMS key encrypting the brokers' storage (provisioned) and the broker log group. Its key policy must allow logs.<region>.amazonaws.com (see README)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-zA-Z-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "kafka_version" {
  description = "Apache Kafka version of a provisioned cluster (ignored by serverless)."
  type        = string
  default     = "3.6.0"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.([0-9]+|x)(\\.[a-z]+)?$", var.kafka_version))
    error_message = "kafka_version must be an MSK Kafka version such as 3.6.0 or 3.7.x."
  }
}

variable "broker_instance_type" {
  description = "Broker instance type of a provisioned cluster (ignored by serverless)."
  type        = string
  default     = "kafka.m7g.large"

  validation {
    condition     = can(regex("^kafka\\.[a-z0-9]+\\.[a-z0-9]+$", var.broker_instance_type))
    error_message = "broker_instance_type must be a standard broker type such as kafka.m7g.large."
  }
}

variable "broker_volume_gib" {
  description = "EBS volume size of each broker of a provisioned cluster, in GiB (ignored by serverless)."
  type        = number
  default     = 100

  validation {
    condition     = var.broker_volume_gib >= 1 && var.broker_volume_gib <= 16384 && floor(var.broker_volume_gib) == var.broker_volume_gib
    error_message = "broker_volume_gib must be a whole number from 1 to 16384."
  }
}

variable "brokers_per_subnet" {
  description = "Brokers per subnet (availability zone) of a provisioned cluster; the total must be at least 3 (replication factor 3, min.insync.replicas 2)."
  type        = number
  default     = 1

  validation {
    condition     = var.brokers_per_subnet >= 1 && floor(var.brokers_per_subnet) == var.brokers_per_subnet
    error_message = "brokers_per_subnet must be a whole number of at least 1."
  }
}

variable "log_retention_days" {
  description = "Retention of the broker log group of a provisioned cluster, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
  }
}

variable "prometheus_security_group_ids" {
  description = "Security groups of Prometheus scrapers. When not empty, a provisioned cluster enables open monitoring (JMX and node exporters) and admits these groups on ports 11001-11002; empty: open monitoring off."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.prometheus_security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", id))])
    error_message = "prometheus_security_group_ids must hold security group IDs (sg-...)."
  }
}

variable "topics" {
  description = "Baton's topics: name => {partitions, retention_ms}. The AWS provider cannot create Kafka topics: they are output unchanged with the kafka-topics.sh commands creating them (see README)."
  type = map(object({
    partitions   = number
    retention_ms = number
  }))
  default = {
    "baton.objects" = { partitions = 12, retention_ms = 604800000 } # 7 days
    "baton.control" = { partitions = 12, retention_ms = 604800000 } # 7 days
    "baton.dlq"     = { partitions = 3, retention_ms = 2592000000 } # 30 days
    "baton.alerts"  = { partitions = 3, retention_ms = 2592000000 } # 30 days
    "baton.ledger"  = { partitions = 6, retention_ms = 604800000 }  # 7 days
  }

  validation {
    condition = alltrue([for name, topic in var.topics :
      can(regex("^[a-zA-Z0-9._-]{1,249}$", name)) && topic.partitions >= 1 && floor(topic.partitions) == topic.partitions
      && (topic.retention_ms == -1 || topic.retention_ms >= 3600000)
    ])
    error_message = "Each topic needs a Kafka topic name ([a-zA-Z0-9._-], up to 249 characters), a whole number of partitions >= 1 and retention_ms of at least 3600000 (1 hour) or -1 (unlimited)."
  }
}
