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

variable "vpc_id" {
  description = "ID of the VPC the endpoints are created in."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must be a VPC id (vpc-xxxxxxxx)."
  }
}

variable "vpc_cidr" {
  description = "A CIDR block of the VPC (checked against vpc_id before the endpoint security group is created)."
  type        = string

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && !endswith(var.vpc_cidr, "/0")
    error_message = "vpc_cidr must be a CIDR block such as 10.20.0.0/16 (prefix length above 0)."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets (at least 2, in different Availability Zones) where the interface endpoints get their network interfaces."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2 && alltrue([for id in var.private_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", id))])
    error_message = "private_subnet_ids must hold at least 2 subnet ids (subnet-xxxxxxxx)."
  }
}

variable "private_route_table_ids" {
  description = "Route tables of the private subnets; the S3 gateway endpoint adds its route (the S3 prefix list) to each."
  type        = list(string)

  validation {
    condition     = length(var.private_route_table_ids) >= 1 && alltrue([for id in var.private_route_table_ids : can(regex("^rtb-[0-9a-f]{8,17}$", id))])
    error_message = "private_route_table_ids must hold at least 1 route table id (rtb-xxxxxxxx)."
  }
}

variable "interface_endpoint_services" {
  description = "AWS services reached through interface endpoints with private DNS: the part of the service name after com.amazonaws.<region>. (e.g. \"ecr.dkr\"). Leave out those the VPC already has an endpoint for (a private EKS cluster's VPC usually has sts, ecr.api and ecr.dkr): two endpoints with private DNS for one service conflict. Add emr-containers with EMR on EKS and elasticmapreduce with EMR steps."
  type        = list(string)
  default     = ["sts", "glue", "sqs", "emr-serverless", "secretsmanager", "logs", "kms", "ecr.api", "ecr.dkr", "athena"]

  validation {
    condition     = length(var.interface_endpoint_services) == length(distinct(var.interface_endpoint_services)) && alltrue([for service in var.interface_endpoint_services : can(regex("^[a-z0-9][a-z0-9.-]*[a-z0-9]$", service)) && service != "s3"])
    error_message = "interface_endpoint_services must be distinct service names such as \"sts\" or \"ecr.dkr\" (lowercase letters, digits, dots, hyphens); \"s3\" is the gateway endpoint (create_s3_gateway_endpoint)."
  }
}

variable "client_security_group_ids" {
  description = "Security groups allowed to call the interface endpoints on TCP 443 (the controller, connector, Spark/EMR, MSK Connect ones)."
  type        = list(string)

  validation {
    condition     = length(var.client_security_group_ids) >= 1 && length(var.client_security_group_ids) == length(distinct(var.client_security_group_ids)) && alltrue([for id in var.client_security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", id))])
    error_message = "client_security_group_ids must hold at least 1 distinct security group id (sg-xxxxxxxx)."
  }
}

variable "create_s3_gateway_endpoint" {
  description = "Whether to create the S3 gateway endpoint on private_route_table_ids; false when those route tables already route S3 through one (a second fails with a route conflict)."
  type        = bool
  default     = true
}
