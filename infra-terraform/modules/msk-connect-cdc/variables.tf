variable "name_prefix" {
  description = "Prefix of every name this module creates, e.g. \"baton-prod\" (the connectors are <name_prefix>-cdc-oracle-source and <name_prefix>-cdc-jdbc-sink)."
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
  description = "ARN of the S3 bucket holding the two plugin zips."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.plugin_bucket_arn))
    error_message = "plugin_bucket_arn must be an S3 bucket ARN (arn:aws:s3:::<bucket>)."
  }
}

variable "oracle_source_plugin_key" {
  description = "Key of the Oracle source plugin zip in that bucket (cdc/oracle-source/target/debezium-connector-oracle-<version>-plugin.zip uploaded)."
  type        = string

  validation {
    condition     = can(regex("^[^/].*\\.zip$", var.oracle_source_plugin_key))
    error_message = "oracle_source_plugin_key must be an S3 key (no leading /) ending in .zip."
  }
}

variable "jdbc_sink_plugin_key" {
  description = "Key of the JDBC sink plugin zip in that bucket (cdc/jdbc-sink/target/debezium-connector-jdbc-<version>-plugin.zip uploaded)."
  type        = string

  validation {
    condition     = can(regex("^[^/].*\\.zip$", var.jdbc_sink_plugin_key))
    error_message = "jdbc_sink_plugin_key must be an S3 key (no leading /) ending in .zip."
  }
}

variable "msk_cluster_arn" {
  description = "ARN of the MSK cluster carrying the change topics (output cluster_arn of the msk module)."
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
  description = "Bootstrap servers of the cluster for SASL/IAM over TLS (host:9098,...); also the Oracle source's schema history topic's."
  type        = string

  validation {
    condition     = can(regex("^[^,:]+:9098(,[^,:]+:9098)*$", var.bootstrap_brokers_sasl_iam))
    error_message = "bootstrap_brokers_sasl_iam must be a comma-separated list of host:9098."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets the connectors' workers get their network interfaces in."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2 && alltrue([for id in var.private_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", id))])
    error_message = "private_subnet_ids must hold at least 2 subnet IDs (subnet-...)."
  }
}

variable "security_group_ids" {
  description = "Security groups of the workers: among the MSK cluster's and Aurora's client security groups, reaching the Secrets Manager endpoint and the Oracle listener (see README)."
  type        = list(string)

  validation {
    condition     = length(var.security_group_ids) >= 1 && length(var.security_group_ids) <= 5 && alltrue([for id in var.security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", id))])
    error_message = "security_group_ids must hold 1 to 5 security group IDs (sg-...)."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer managed KMS key encrypting both secrets and the connectors' log groups. Its key policy must allow logs.<region>.amazonaws.com."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-zA-Z-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "oracle_secret_arn" {
  description = "ARN of the Secrets Manager secret of the Oracle source: a JSON object with host, port, username, password, dbname (the CDB) and pdb (the PDB holding the tables)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@!-]+-[A-Za-z0-9]{6}$", var.oracle_secret_arn))
    error_message = "oracle_secret_arn must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>)."
  }
}

variable "table_include_list" {
  description = "The Oracle source's table.include.list: regular expressions of <schema>.<table> names, comma-separated (e.g. APP\\\\..* for every table of schema APP)."
  type        = string

  validation {
    condition     = length(trimspace(var.table_include_list)) > 0 && !can(regex("[\\s\"]", var.table_include_list))
    error_message = "table_include_list must be a non-empty comma-separated list of regular expressions without spaces or quotes."
  }
}

variable "topic_prefix" {
  description = "The Oracle source's topic.prefix: change topics are <topic_prefix>.<schema>.<table>; the sink reads every topic under it."
  type        = string
  default     = "cdc"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_-]{0,31}$", var.topic_prefix))
    error_message = "topic_prefix must be 1-32 characters: a lowercase letter, then lowercase letters, digits, _ or -."
  }
}

variable "target_secret_arn" {
  description = "ARN of the Secrets Manager secret of the Aurora PostgreSQL user the sink writes as: a JSON object with username and password (e.g. output master_user_secret_arn of the aurora module, or a secret of a user of its own)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@!-]+-[A-Za-z0-9]{6}$", var.target_secret_arn))
    error_message = "target_secret_arn must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>)."
  }
}

variable "target_endpoint" {
  description = "Writer endpoint of the Aurora PostgreSQL cluster (output cluster_endpoint of the aurora module)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,252}$", var.target_endpoint))
    error_message = "target_endpoint must be a host name."
  }
}

variable "target_port" {
  description = "Port of the Aurora PostgreSQL cluster."
  type        = number
  default     = 5432

  validation {
    condition     = var.target_port >= 1150 && var.target_port <= 65535 && floor(var.target_port) == var.target_port
    error_message = "target_port must be a port number from 1150 to 65535 (Aurora's range)."
  }
}

variable "target_database" {
  description = "Database the sink creates and updates its tables in (one per source table, named as the source table)."
  type        = string

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]{0,62}$", var.target_database))
    error_message = "target_database must be a PostgreSQL identifier: lowercase letters, digits and _, up to 63 characters."
  }
}

variable "kafkaconnect_version" {
  description = "Kafka Connect version of the MSK Connect workers."
  type        = string
  default     = "3.7.x"

  validation {
    condition     = contains(["3.7.x"], var.kafkaconnect_version)
    error_message = "kafkaconnect_version must be 3.7.x (Debezium 3.5 needs Kafka Connect 3.x)."
  }
}

variable "mcu_count" {
  description = "MSK Connect units (1 vCPU, 4 GiB each) of each connector's one worker (the Oracle source runs one task: LogMiner reads one redo stream)."
  type        = number
  default     = 2

  validation {
    condition     = contains([1, 2, 4, 8], var.mcu_count)
    error_message = "mcu_count must be 1, 2, 4 or 8."
  }
}

variable "log_retention_days" {
  description = "Retention of the connectors' worker log groups, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
  }
}
