data "aws_region" "current" {}

data "aws_vpc" "this" {
  id = var.vpc_id
}

locals {
  region = data.aws_region.current.region

  # Keyed by position, so for_each works while the client security groups are still being created
  # (their ids unknown at plan time); reordering the list replaces the rules.
  client_security_groups = { for index, id in var.client_security_group_ids : tostring(index) => id }
}

################################################################################
# S3 gateway endpoint on the private route tables
################################################################################

resource "aws_vpc_endpoint" "s3" {
  count = var.create_s3_gateway_endpoint ? 1 : 0

  vpc_id            = var.vpc_id
  service_name      = "com.amazonaws.${local.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = var.private_route_table_ids

  tags = merge(var.tags, { Name = "${var.name_prefix}-s3" })
}

# S3's managed prefix list in the region, whoever created the gateway endpoint
data "aws_prefix_list" "s3" {
  name = "com.amazonaws.${local.region}.s3"
}

################################################################################
# Interface endpoints (private DNS) in the private subnets, one security group
################################################################################

resource "aws_security_group" "endpoints" {
  name_prefix = "${var.name_prefix}-vpce-"
  description = "Interface VPC endpoints of ${var.name_prefix}: HTTPS from the client security groups only"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name_prefix}-vpce" })

  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = contains(concat([data.aws_vpc.this.cidr_block], data.aws_vpc.this.cidr_block_associations[*].cidr_block), var.vpc_cidr)
      error_message = "vpc_cidr is not a CIDR block of vpc_id."
    }
  }
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_https" {
  for_each = local.client_security_groups

  security_group_id            = aws_security_group.endpoints.id
  description                  = "HTTPS to the VPC endpoints from ${each.value}"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = each.value

  tags = merge(var.tags, { Name = "${var.name_prefix}-vpce-https-${each.key}" })
}

resource "aws_vpc_endpoint" "interface" {
  for_each = toset(var.interface_endpoint_services)

  vpc_id              = var.vpc_id
  service_name        = "com.amazonaws.${local.region}.${each.value}"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = var.private_subnet_ids
  security_group_ids  = [aws_security_group.endpoints.id]
  private_dns_enabled = true

  tags = merge(var.tags, { Name = "${var.name_prefix}-${replace(each.value, ".", "-")}" })
}
