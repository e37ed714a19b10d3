variable "region" {
  description = "AWS region of everything, e.g. eu-west-1."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name, e.g. eu-west-1."
  }
}

variable "name_prefix" {
  description = "Prefix of every name, e.g. baton-prod."
  type        = string
  default     = "baton"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,23}$", var.name_prefix))
    error_message = "name_prefix must match ^[a-z][a-z0-9-]{1,23}$."
  }
}

variable "tags" {
  description = "Tags of every AWS resource (the provider's default_tags)."
  type        = map(string)
  default     = { "app.kubernetes.io/part-of" = "baton" }
}

variable "vpc_id" {
  description = "The existing VPC Baton runs in (private subnets only; no internet gateway or NAT is needed)."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must be a VPC id, e.g. vpc-0abc1234def567890."
  }
}

variable "vpc_cidr" {
  description = "The VPC's primary CIDR block."
  type        = string

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be a CIDR block, e.g. 10.20.0.0/16."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets in at least two availability zones (MSK brokers, endpoints, Connect, EMR Serverless, Aurora); with two, MSK provisioned gets two brokers per subnet."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2 && alltrue([for id in var.private_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", id))])
    error_message = "private_subnet_ids must hold at least two subnet ids."
  }
}

variable "private_route_table_ids" {
  description = "Route tables of the private subnets (the S3 gateway endpoint is added to them)."
  type        = list(string)

  validation {
    condition     = length(var.private_route_table_ids) >= 1 && alltrue([for id in var.private_route_table_ids : can(regex("^rtb-[0-9a-f]{8,17}$", id))])
    error_message = "private_route_table_ids must hold route table ids (rtb-...)."
  }
}

variable "eks_cluster_name" {
  description = "The existing EKS cluster the controller and Spark run on."
  type        = string

  validation {
    condition     = can(regex("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$", var.eks_cluster_name))
    error_message = "eks_cluster_name must be an EKS cluster name."
  }
}

variable "eks_pod_security_group_id" {
  description = "Security group of the EKS pods of the controller and Spark (the cluster's node security group, or a security group for pods): admitted by MSK, Aurora and the VPC endpoints."
  type        = string

  validation {
    condition     = can(regex("^sg-[0-9a-f]{8,17}$", var.eks_pod_security_group_id))
    error_message = "eks_pod_security_group_id must be a security group id."
  }
}

variable "oidc_provider_arn" {
  description = "ARN of the EKS cluster's IAM OIDC provider (IRSA)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/.+$", var.oidc_provider_arn))
    error_message = "oidc_provider_arn must be an IAM OIDC provider ARN."
  }
}

variable "oidc_provider_url" {
  description = "The OIDC provider's URL without https://, e.g. oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE."
  type        = string

  validation {
    condition     = !startswith(var.oidc_provider_url, "https://") && length(var.oidc_provider_url) > 0
    error_message = "oidc_provider_url must be given without https://."
  }
}

variable "landing_prefixes" {
  description = "Prefixes of the landing bucket whose new objects trigger pipelines (each ends in /)."
  type        = list(string)
  default     = ["tpch/", "sales/"]

  validation {
    condition     = length(var.landing_prefixes) > 0 && alltrue([for p in var.landing_prefixes : endswith(p, "/")])
    error_message = "landing_prefixes must be non-empty, each ending in /."
  }
}

variable "msk_mode" {
  description = "MSK serverless or provisioned (provisioned: encryption at rest with the customer key; serverless uses an AWS-owned key)."
  type        = string
  default     = "provisioned"

  validation {
    condition     = contains(["serverless", "provisioned"], var.msk_mode)
    error_message = "msk_mode must be serverless or provisioned."
  }
}

variable "artifacts_bucket_name" {
  description = "Existing bucket holding Baton's release artifacts, managed outside this configuration so no job role can overwrite them: the connector's plugin zip and the stage runner jar."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.artifacts_bucket_name))
    error_message = "artifacts_bucket_name must be an S3 bucket name."
  }
}

variable "connector_plugin_key" {
  description = "Key of the connector's plugin zip in the artifacts bucket (ingest-connectors/target/baton-ingest-connectors-<version>-plugin.zip)."
  type        = string
  default     = "baton/baton-ingest-connectors-0.1.0-plugin.zip"
}

variable "stage_runner_jar_key" {
  description = "Key of Baton's stage runner jar in the artifacts bucket (batch-stages/target/spark-home/baton/baton-stage-runner.jar)."
  type        = string
  default     = "baton/baton-stage-runner-0.1.0.jar"
}

variable "stage_config_key" {
  description = "Key in the artifacts bucket of the configuration file Baton's stage runner reads on EMR Serverless (shipped with each job as spark.files)."
  type        = string
  default     = "baton/baton-stage.properties"
}

variable "controller_image" {
  description = "Baton's image (deploy/spark-image/Dockerfile, which holds the CLI the controller runs), with a tag or digest."
  type        = string
}

variable "emr_on_eks_enabled" {
  description = "Whether to register the EKS namespace as an EMR on EKS virtual cluster (the emr-containers launcher)."
  type        = bool
  default     = false
}

variable "pipelines_dir" {
  description = "Folder of the pipeline YAML files the controller runs (every *.yaml in it); null: Baton's examples/pipelines of this checkout."
  type        = string
  default     = null
}

variable "interface_endpoint_services" {
  description = "AWS services the VPC gets interface endpoints for (the network module's list). Leave out those the VPC already has (a private EKS cluster's VPC usually has sts, ecr.api, ecr.dkr): two endpoints with private DNS for one service conflict. emr-containers is added when emr_on_eks_enabled."
  type        = list(string)
  default     = ["sts", "glue", "sqs", "emr-serverless", "secretsmanager", "logs", "kms", "ecr.api", "ecr.dkr", "athena"]
}

variable "create_s3_gateway_endpoint" {
  description = "Whether to add an S3 gateway endpoint to the private route tables (false when they already have one)."
  type        = bool
  default     = true
}

variable "cdc_enabled" {
  description = "Whether to run the Oracle -> Aurora change data capture on MSK Connect (modules/msk-connect-cdc); needs cdc_oracle_secret_arn, cdc_oracle_cidr and cdc_table_include_list."
  type        = bool
  default     = false
}

variable "cdc_oracle_secret_arn" {
  description = "With cdc_enabled: ARN of the Secrets Manager secret of the Oracle source (host, port, username, password, dbname, pdb), encrypted with the buckets module's key."
  type        = string
  default     = null

  validation {
    condition     = var.cdc_oracle_secret_arn == null || can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+-[A-Za-z0-9]{6}$", var.cdc_oracle_secret_arn))
    error_message = "cdc_oracle_secret_arn must be a Secrets Manager secret ARN or null."
  }
}

variable "cdc_oracle_cidr" {
  description = "With cdc_enabled: the CIDR block of the Oracle database's listener (on premises, reached through Direct Connect or VPN)."
  type        = string
  default     = null

  validation {
    condition     = var.cdc_oracle_cidr == null || (can(cidrhost(var.cdc_oracle_cidr, 0)) && !startswith(coalesce(var.cdc_oracle_cidr, "x"), "0.0.0.0/"))
    error_message = "cdc_oracle_cidr must be an IPv4 CIDR block other than 0.0.0.0/n, or null."
  }
}

variable "cdc_oracle_port" {
  description = "Port of the Oracle listener."
  type        = number
  default     = 1521

  validation {
    condition     = var.cdc_oracle_port >= 1 && var.cdc_oracle_port <= 65535 && floor(var.cdc_oracle_port) == var.cdc_oracle_port
    error_message = "cdc_oracle_port must be a port number."
  }
}

variable "cdc_table_include_list" {
  description = "With cdc_enabled: the Oracle tables to capture, Debezium's table.include.list (e.g. \"APP\\\\..*\")."
  type        = string
  default     = null
}

variable "cdc_oracle_source_plugin_key" {
  description = "Key of the Debezium Oracle source plugin zip in the artifacts bucket (cdc/oracle-source/target/debezium-connector-oracle-<version>-plugin.zip)."
  type        = string
  default     = "baton/debezium-connector-oracle-3.5.0.Final-plugin.zip"
}

variable "cdc_jdbc_sink_plugin_key" {
  description = "Key of the Debezium JDBC sink plugin zip in the artifacts bucket (cdc/jdbc-sink/target/debezium-connector-jdbc-<version>-plugin.zip)."
  type        = string
  default     = "baton/debezium-connector-jdbc-3.5.0.Final-plugin.zip"
}
