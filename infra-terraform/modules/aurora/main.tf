locals {
  cluster_identifier = "${var.name_prefix}-aurora"
  engine             = "aurora-postgresql"
  family             = "aurora-postgresql${split(".", var.engine_version)[0]}"
  port               = 5432

  # Index keys (known at plan time even when the IDs are not yet): see README "Security".
  client_security_groups = { for index, id in var.client_security_group_ids : tostring(index) => id }
}

################################################################################
# Network: subnet group and security group (5432 from the client groups only)
################################################################################

resource "aws_db_subnet_group" "this" {
  name        = local.cluster_identifier
  description = "Private subnets of Aurora PostgreSQL ${local.cluster_identifier}"
  subnet_ids  = var.private_subnet_ids
  tags        = var.tags
}

resource "aws_security_group" "this" {
  name_prefix = "${local.cluster_identifier}-"
  description = "Aurora PostgreSQL ${local.cluster_identifier}: 5432 from its clients only"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = local.cluster_identifier })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "clients" {
  for_each = local.client_security_groups

  security_group_id            = aws_security_group.this.id
  description                  = "PostgreSQL (TLS enforced) from a client security group"
  ip_protocol                  = "tcp"
  from_port                    = local.port
  to_port                      = local.port
  referenced_security_group_id = each.value
  tags                         = var.tags
}

################################################################################
# Parameters: TLS only, logical replication for CDC
################################################################################

resource "aws_rds_cluster_parameter_group" "this" {
  name_prefix = "${local.cluster_identifier}-"
  family      = local.family
  description = "Aurora PostgreSQL ${local.cluster_identifier}: TLS only, logical replication"
  tags        = var.tags

  parameter {
    name         = "rds.force_ssl"
    value        = "1"
    apply_method = "pending-reboot"
  }

  parameter {
    name         = "rds.logical_replication"
    value        = "1"
    apply_method = "pending-reboot"
  }

  lifecycle {
    create_before_destroy = true
  }
}

################################################################################
# Cluster and instances
################################################################################

# Created before the cluster so that RDS does not create it unencrypted and kept forever.
resource "aws_cloudwatch_log_group" "postgresql" {
  name              = "/aws/rds/cluster/${local.cluster_identifier}/postgresql"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_rds_cluster" "this" {
  cluster_identifier = local.cluster_identifier
  engine             = local.engine
  engine_version     = var.engine_version
  database_name      = var.database_name
  port               = local.port

  master_username               = "baton_admin"
  manage_master_user_password   = true
  master_user_secret_kms_key_id = var.kms_key_arn

  iam_database_authentication_enabled = true

  db_subnet_group_name            = aws_db_subnet_group.this.name
  vpc_security_group_ids          = [aws_security_group.this.id]
  db_cluster_parameter_group_name = aws_rds_cluster_parameter_group.this.name
  network_type                    = "IPV4"

  storage_encrypted = true
  kms_key_id        = var.kms_key_arn

  backup_retention_period   = var.backup_retention_period
  copy_tags_to_snapshot     = true
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = false
  final_snapshot_identifier = "${local.cluster_identifier}-final"
  delete_automated_backups  = false

  enabled_cloudwatch_logs_exports = ["postgresql"]
  allow_major_version_upgrade     = false

  tags = var.tags

  depends_on = [aws_cloudwatch_log_group.postgresql]
}

resource "aws_rds_cluster_instance" "this" {
  count = var.instances

  identifier           = "${local.cluster_identifier}-${count.index + 1}"
  cluster_identifier   = aws_rds_cluster.this.id
  engine               = aws_rds_cluster.this.engine
  engine_version       = aws_rds_cluster.this.engine_version
  instance_class       = var.instance_class
  db_subnet_group_name = aws_db_subnet_group.this.name

  publicly_accessible        = false
  auto_minor_version_upgrade = true
  copy_tags_to_snapshot      = true

  performance_insights_enabled          = true
  performance_insights_kms_key_id       = var.kms_key_arn
  performance_insights_retention_period = 7

  tags = var.tags
}
