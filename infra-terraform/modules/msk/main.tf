locals {
  provisioned  = var.mode == "provisioned"
  cluster_name = "${var.name_prefix}-msk"
  broker_count = length(var.private_subnet_ids) * var.brokers_per_subnet

  # Index keys (known at plan time even when the IDs are not yet): see README "Security".
  client_security_groups     = { for index, id in var.client_security_group_ids : tostring(index) => id }
  prometheus_security_groups = { for index, id in var.prometheus_security_group_ids : tostring(index) => id }
  prometheus_ports           = { jmx = 11001, node = 11002 }
  prometheus_rules = {
    for pair in setproduct(keys(local.prometheus_security_groups), keys(local.prometheus_ports)) :
    "${pair[1]}-${pair[0]}" => { security_group_id = local.prometheus_security_groups[pair[0]], port = local.prometheus_ports[pair[1]] }
    if local.provisioned
  }

  # Whichever of the two cluster resources exists (count = 0 or 1 on var.mode).
  cluster_arn = local.provisioned ? one(aws_msk_cluster.this[*].arn) : one(aws_msk_serverless_cluster.this[*].arn)
  bootstrap_brokers_sasl_iam = (local.provisioned ? one(aws_msk_cluster.this[*].bootstrap_brokers_sasl_iam)
  : one(aws_msk_serverless_cluster.this[*].bootstrap_brokers_sasl_iam))
  # Both kinds of cluster ARN are arn:<partition>:kafka:<region>:<account>:cluster/<cluster name>/<cluster uuid>:
  # the UUID (with its "-<n>" suffix) is the last "/" segment, as IAM topic and group ARNs need it.
  cluster_uuid = element(split("/", local.cluster_arn), 2)

  topic_creation_commands = {
    for name, topic in var.topics : name => join(" ", [
      "kafka-topics.sh --bootstrap-server ${local.bootstrap_brokers_sasl_iam}",
      "--command-config client-iam.properties --create --if-not-exists",
      "--topic ${name} --partitions ${topic.partitions} --config retention.ms=${topic.retention_ms}",
    ])
  }
}

################################################################################
# Security group: 9098 (SASL/IAM over TLS) from the client security groups only
################################################################################

resource "aws_security_group" "this" {
  name_prefix = "${local.cluster_name}-"
  description = "MSK ${local.cluster_name}: Kafka over IAM/TLS (9098) from Baton's clients only"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = local.cluster_name })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "clients" {
  for_each = local.client_security_groups

  security_group_id            = aws_security_group.this.id
  description                  = "Kafka SASL/IAM over TLS from a client security group"
  ip_protocol                  = "tcp"
  from_port                    = 9098
  to_port                      = 9098
  referenced_security_group_id = each.value
  tags                         = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "prometheus" {
  for_each = local.prometheus_rules

  security_group_id            = aws_security_group.this.id
  description                  = "Prometheus exporter (${each.value.port}) scrape from a monitoring security group"
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  referenced_security_group_id = each.value.security_group_id
  tags                         = var.tags
}

################################################################################
# Serverless
################################################################################

resource "aws_msk_serverless_cluster" "this" {
  count = local.provisioned ? 0 : 1

  cluster_name = local.cluster_name

  client_authentication {
    sasl {
      iam {
        enabled = true
      }
    }
  }

  vpc_config {
    subnet_ids         = var.private_subnet_ids
    security_group_ids = [aws_security_group.this.id]
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = length(var.private_subnet_ids) <= 5
      error_message = "MSK Serverless takes 2 to 5 subnets: private_subnet_ids has ${length(var.private_subnet_ids)}."
    }
  }
}

################################################################################
# Provisioned
################################################################################

resource "aws_cloudwatch_log_group" "brokers" {
  count = local.provisioned ? 1 : 0

  name              = "/aws/msk/${local.cluster_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_msk_configuration" "this" {
  count = local.provisioned ? 1 : 0

  name           = local.cluster_name
  description    = "Baton: topics created explicitly, replicated 3 times, acknowledged by 2"
  kafka_versions = [var.kafka_version]

  server_properties = <<-PROPERTIES
    auto.create.topics.enable=false
    default.replication.factor=3
    min.insync.replicas=2
    unclean.leader.election.enable=false
  PROPERTIES
}

resource "aws_msk_cluster" "this" {
  count = local.provisioned ? 1 : 0

  cluster_name           = local.cluster_name
  kafka_version          = var.kafka_version
  number_of_broker_nodes = local.broker_count

  broker_node_group_info {
    instance_type   = var.broker_instance_type
    client_subnets  = var.private_subnet_ids
    security_groups = [aws_security_group.this.id]

    storage_info {
      ebs_storage_info {
        volume_size = var.broker_volume_gib
      }
    }

    connectivity_info {
      public_access {
        type = "DISABLED"
      }
    }
  }

  configuration_info {
    arn      = aws_msk_configuration.this[0].arn
    revision = aws_msk_configuration.this[0].latest_revision
  }

  client_authentication {
    unauthenticated = false

    sasl {
      iam   = true
      scram = false
    }
  }

  encryption_info {
    encryption_at_rest_kms_key_arn = var.kms_key_arn

    encryption_in_transit {
      client_broker = "TLS"
      in_cluster    = true
    }
  }

  open_monitoring {
    prometheus {
      jmx_exporter {
        enabled_in_broker = length(var.prometheus_security_group_ids) > 0
      }
      node_exporter {
        enabled_in_broker = length(var.prometheus_security_group_ids) > 0
      }
    }
  }

  logging_info {
    broker_logs {
      cloudwatch_logs {
        enabled   = true
        log_group = aws_cloudwatch_log_group.brokers[0].name
      }
    }
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = length(var.private_subnet_ids) <= 3
      error_message = "A provisioned MSK cluster spreads its brokers over 2 or 3 subnets (availability zones): private_subnet_ids has ${length(var.private_subnet_ids)}."
    }
    precondition {
      condition     = local.broker_count >= 3
      error_message = "Replication factor 3 needs at least 3 brokers: ${length(var.private_subnet_ids)} subnets x brokers_per_subnet ${var.brokers_per_subnet} = ${local.broker_count}."
    }
  }
}
