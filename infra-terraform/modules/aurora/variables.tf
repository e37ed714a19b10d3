variable "name_prefix" {
  description = "Prefix of every name this module creates, e.g. \"baton-prod\" (the cluster is <name_prefix>-aurora)."
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

variable "vpc_id" {
  description = "ID of the VPC the cluster and its security group live in."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must be a VPC ID (vpc-...)."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets (at least 2 availability zones) of the DB subnet group."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2 && alltrue([for id in var.private_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", id))])
    error_message = "private_subnet_ids must hold at least 2 subnet IDs (subnet-...)."
  }
}

variable "client_security_group_ids" {
  description = "Security groups of the database's clients (e.g. Debezium, Spark): the only sources admitted, on port 5432."
  type        = list(string)

  validation {
    condition     = length(var.client_security_group_ids) >= 1 && alltrue([for id in var.client_security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", id))])
    error_message = "client_security_group_ids must hold at least one security group ID (sg-...)."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer managed KMS key encrypting the storage, the master user secret, Performance Insights and the PostgreSQL log group. Its key policy must allow logs.<region>.amazonaws.com (see README)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-zA-Z-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "engine_version" {
  description = "Aurora PostgreSQL version (major.minor); the cluster parameter group family follows its major version (aurora-postgresql<major>)."
  type        = string
  default     = "16.4"

  validation {
    condition     = can(regex("^[0-9]{2}\\.[0-9]+$", var.engine_version))
    error_message = "engine_version must be an Aurora PostgreSQL major.minor version such as 16.4."
  }
}

variable "instance_class" {
  description = "Instance class of every cluster instance (provisioned classes; db.serverless is not supported by this module)."
  type        = string
  default     = "db.r7g.large"

  validation {
    condition     = can(regex("^db\\.[a-z0-9-]+\\.[a-z0-9]+$", var.instance_class)) && var.instance_class != "db.serverless"
    error_message = "instance_class must be a provisioned DB instance class such as db.r7g.large."
  }
}

variable "instances" {
  description = "Number of cluster instances: one writer and instances - 1 readers (2 or more for a failover target in another zone)."
  type        = number
  default     = 2

  validation {
    condition     = var.instances >= 1 && var.instances <= 16 && floor(var.instances) == var.instances
    error_message = "instances must be a whole number from 1 to 16."
  }
}

variable "database_name" {
  description = "Name of the database created in the cluster (the CDC target)."
  type        = string
  default     = "baton_cdc"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.database_name))
    error_message = "database_name must start with a lowercase letter and hold up to 63 lowercase letters, digits or underscores."
  }
}

variable "deletion_protection" {
  description = "Whether the cluster refuses deletion (turn off deliberately before destroying it)."
  type        = bool
  default     = true
}

variable "backup_retention_period" {
  description = "Days automated backups are kept."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_period >= 1 && var.backup_retention_period <= 35 && floor(var.backup_retention_period) == var.backup_retention_period
    error_message = "backup_retention_period must be a whole number of days from 1 to 35."
  }
}

variable "log_retention_days" {
  description = "Retention of the PostgreSQL log group, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
  }
}
