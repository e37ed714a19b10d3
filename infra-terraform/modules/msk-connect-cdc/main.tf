data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.region
  partition  = data.aws_partition.current.partition

  connector_names = {
    source = "${var.name_prefix}-cdc-oracle-source"
    sink   = "${var.name_prefix}-cdc-jdbc-sink"
  }

  # arn:<partition>:kafka:<region>:<account> of the cluster, the prefix of its topic and group ARNs
  kafka_arn_prefix = join(":", slice(split(":", var.msk_cluster_arn), 0, 5))
  topic_arn_prefix = "${local.kafka_arn_prefix}:topic/${var.msk_cluster_name}/${var.msk_cluster_uuid}"
  group_arn_prefix = "${local.kafka_arn_prefix}:group/${var.msk_cluster_name}/${var.msk_cluster_uuid}"

  # A secret's name from its ARN (arn:...:secret:<name>-<6 random characters>): the ConfigProvider reference
  # ${sm:<name>:<field>} cannot carry an ARN's colons
  oracle_secret_name = replace(var.oracle_secret_arn, "/^arn:[^:]+:secretsmanager:[^:]+:[0-9]{12}:secret:(.+)-[A-Za-z0-9]{6}$/", "$1")
  target_secret_name = replace(var.target_secret_arn, "/^arn:[^:]+:secretsmanager:[^:]+:[0-9]{12}:secret:(.+)-[A-Za-z0-9]{6}$/", "$1")

  # Debezium's topics besides <topic_prefix>.<schema>.<table>: the schema change topic <topic_prefix>, the heartbeat
  # topic and the schema history topic (cdc/config/oracle-source.json)
  schema_history_topic = "baton.cdc.schema-history.oracle"
  heartbeat_topic      = "__debezium-heartbeat.${var.topic_prefix}"
  json_converter       = "org.apache.kafka.connect.json.JsonConverter"

  # Kafka clients of the Oracle source's schema history: IAM authentication over TLS, as the workers' own
  msk_iam_client = {
    "security.protocol"                  = "SASL_SSL"
    "sasl.mechanism"                     = "AWS_MSK_IAM"
    "sasl.jaas.config"                   = "software.amazon.msk.auth.iam.IAMLoginModule required;"
    "sasl.client.callback.handler.class" = "software.amazon.msk.auth.iam.IAMClientCallbackHandler"
  }

  # cdc/config/oracle-source.json with the secrets from Secrets Manager (${sm:...}) instead of a file, and the
  # Kafka settings of this cluster
  oracle_source_settings = {
    "connector.class"                                        = "io.debezium.connector.oracle.OracleConnector"
    "tasks.max"                                              = "1"
    "database.connection.adapter"                            = "logminer"
    "database.hostname"                                      = "$${sm:${local.oracle_secret_name}:host}"
    "database.port"                                          = "$${sm:${local.oracle_secret_name}:port}"
    "database.user"                                          = "$${sm:${local.oracle_secret_name}:username}"
    "database.password"                                      = "$${sm:${local.oracle_secret_name}:password}"
    "database.dbname"                                        = "$${sm:${local.oracle_secret_name}:dbname}"
    "database.pdb.name"                                      = "$${sm:${local.oracle_secret_name}:pdb}"
    "topic.prefix"                                           = var.topic_prefix
    "table.include.list"                                     = var.table_include_list
    "snapshot.mode"                                          = "initial"
    "schema.history.internal.kafka.topic"                    = local.schema_history_topic
    "schema.history.internal.kafka.bootstrap.servers"        = var.bootstrap_brokers_sasl_iam
    "schema.history.internal.store.only.captured.tables.ddl" = "true"
    "heartbeat.interval.ms"                                  = "10000"
    "decimal.handling.mode"                                  = "precise"
    "time.precision.mode"                                    = "adaptive"
    "tombstones.on.delete"                                   = "true"
    "lob.enabled"                                            = "false"
    "log.mining.strategy"                                    = "online_catalog"
    "log.mining.query.filter.mode"                           = "in"
    "log.mining.buffer.type"                                 = "memory"
    "log.mining.batch.size.min"                              = "1000"
    "log.mining.batch.size.default"                          = "20000"
    "log.mining.batch.size.max"                              = "100000"
    "log.mining.sleep.time.min.ms"                           = "0"
    "log.mining.sleep.time.default.ms"                       = "1000"
    "log.mining.sleep.time.max.ms"                           = "3000"
    "log.mining.transaction.retention.ms"                    = "14400000"
    "log.mining.archive.log.only.mode"                       = "false"
    "key.converter"                                          = local.json_converter
    "key.converter.schemas.enable"                           = "true"
    "value.converter"                                        = local.json_converter
    "value.converter.schemas.enable"                         = "true"
    "topic.creation.default.replication.factor"              = "-1"
    "topic.creation.default.partitions"                      = "-1"
    "topic.creation.default.compression.type"                = "zstd"
  }
  oracle_source_configuration = merge(
    { for key, value in local.msk_iam_client : "schema.history.internal.producer.${key}" => value },
    { for key, value in local.msk_iam_client : "schema.history.internal.consumer.${key}" => value },
    local.oracle_source_settings,
  )

  # cdc/config/jdbc-sink.json into Aurora PostgreSQL (TLS: the cluster refuses connections without it)
  jdbc_sink_configuration = {
    "connector.class"                = "io.debezium.connector.jdbc.JdbcSinkConnector"
    "tasks.max"                      = "1"
    "topics.regex"                   = "${var.topic_prefix}\\..*"
    "connection.url"                 = "jdbc:postgresql://${var.target_endpoint}:${var.target_port}/${var.target_database}?sslmode=require"
    "connection.username"            = "$${sm:${local.target_secret_name}:username}"
    "connection.password"            = "$${sm:${local.target_secret_name}:password}"
    "insert.mode"                    = "upsert"
    "primary.key.mode"               = "record_key"
    "delete.enabled"                 = "true"
    "truncate.enabled"               = "true"
    "schema.evolution"               = "basic"
    "collection.name.format"         = "$${source.table}"
    "use.time.zone"                  = "UTC"
    "key.converter"                  = local.json_converter
    "key.converter.schemas.enable"   = "true"
    "value.converter"                = local.json_converter
    "value.converter.schemas.enable" = "true"
    "errors.tolerance"               = "none"
  }
}

################################################################################
# Connector logs (KMS encrypted)
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  for_each = local.connector_names

  name              = "/aws/mskconnect/${each.value}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

################################################################################
# Service execution roles: one per connector, each granted only what its connector does
################################################################################

data "aws_iam_policy_document" "assume_role" {
  for_each = local.connector_names

  statement {
    sid     = "MskConnectAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["kafkaconnect.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:kafkaconnect:${local.region}:${local.account_id}:connector/${each.value}/*"]
    }
  }
}

data "aws_iam_policy_document" "source" {
  statement {
    sid       = "ReadOracleSecret"
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.oracle_secret_arn]
  }

  statement {
    sid       = "DecryptOracleSecret"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${local.region}.${data.aws_partition.current.dns_suffix}"]
    }
  }

  # DescribeClusterDynamicConfiguration: Debezium's schema history may read the brokers' default replication factor
  # (describeConfigs) when it creates its topic
  statement {
    sid    = "ConnectToCluster"
    effect = "Allow"
    actions = [
      "kafka-cluster:Connect",
      "kafka-cluster:DescribeCluster",
      "kafka-cluster:DescribeClusterDynamicConfiguration",
      "kafka-cluster:WriteDataIdempotently",
    ]
    resources = [var.msk_cluster_arn]
  }

  # the change topics (created by Connect: topic.creation.*), the schema change topic and the heartbeat topic
  statement {
    sid    = "WriteChangeTopics"
    effect = "Allow"
    actions = [
      "kafka-cluster:CreateTopic",
      "kafka-cluster:DescribeTopic",
      "kafka-cluster:DescribeTopicDynamicConfiguration",
      "kafka-cluster:WriteData",
    ]
    resources = [
      "${local.topic_arn_prefix}/${var.topic_prefix}",
      "${local.topic_arn_prefix}/${var.topic_prefix}.*",
      "${local.topic_arn_prefix}/${local.heartbeat_topic}",
    ]
  }

  # the schema history: written with every captured table's DDL, read back whole when the task starts
  statement {
    sid    = "SchemaHistoryTopic"
    effect = "Allow"
    actions = [
      "kafka-cluster:CreateTopic",
      "kafka-cluster:DescribeTopic",
      "kafka-cluster:ReadData",
      "kafka-cluster:WriteData",
    ]
    resources = ["${local.topic_arn_prefix}/${local.schema_history_topic}"]
  }

  # The worker's config, offset and status topics, named after the connector
  # (__amazon_msk_connect_<configs|offsets|status>_<connector name>_<connector id>; one AWS page spells the prefix
  # __msk_connect_), created by MSK Connect through this role.
  statement {
    sid    = "ConnectWorkerInternalTopics"
    effect = "Allow"
    actions = [
      "kafka-cluster:CreateTopic",
      "kafka-cluster:DescribeTopic",
      "kafka-cluster:ReadData",
      "kafka-cluster:WriteData",
    ]
    resources = [
      "${local.topic_arn_prefix}/__amazon_msk_connect_*_${local.connector_names.source}_*",
      "${local.topic_arn_prefix}/__msk_connect_*_${local.connector_names.source}_*",
    ]
  }

  # the worker group, and the group the schema history reads its topic back in (Debezium's default
  # schema.history.internal.name, <topic.prefix>-schemahistory)
  statement {
    sid     = "ConnectWorkerAndSchemaHistoryGroups"
    effect  = "Allow"
    actions = ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"]
    resources = [
      "${local.group_arn_prefix}/__amazon_msk_connect_*",
      "${local.group_arn_prefix}/${var.topic_prefix}-schemahistory",
    ]
  }
}

data "aws_iam_policy_document" "sink" {
  statement {
    sid       = "ReadTargetSecret"
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.target_secret_arn]
  }

  statement {
    sid       = "DecryptTargetSecret"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${local.region}.${data.aws_partition.current.dns_suffix}"]
    }
  }

  statement {
    sid       = "ConnectToCluster"
    effect    = "Allow"
    actions   = ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"]
    resources = [var.msk_cluster_arn]
  }

  statement {
    sid       = "ReadChangeTopics"
    effect    = "Allow"
    actions   = ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"]
    resources = ["${local.topic_arn_prefix}/${var.topic_prefix}.*"]
  }

  statement {
    sid    = "ConnectWorkerInternalTopics"
    effect = "Allow"
    actions = [
      "kafka-cluster:CreateTopic",
      "kafka-cluster:DescribeTopic",
      "kafka-cluster:ReadData",
      "kafka-cluster:WriteData",
    ]
    resources = [
      "${local.topic_arn_prefix}/__amazon_msk_connect_*_${local.connector_names.sink}_*",
      "${local.topic_arn_prefix}/__msk_connect_*_${local.connector_names.sink}_*",
    ]
  }

  # the worker group and the connector's consumer group (Kafka Connect names it connect-<connector name>)
  statement {
    sid     = "ConnectWorkerAndSinkGroups"
    effect  = "Allow"
    actions = ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"]
    resources = [
      "${local.group_arn_prefix}/__amazon_msk_connect_*",
      "${local.group_arn_prefix}/connect-${local.connector_names.sink}",
    ]
  }
}

resource "aws_iam_role" "source" {
  name                 = "${local.connector_names.source}-connect"
  description          = "MSK Connect service execution role of the Debezium Oracle source ${local.connector_names.source}"
  assume_role_policy   = data.aws_iam_policy_document.assume_role["source"].json
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy" "source" {
  name   = "baton-cdc-oracle-source"
  role   = aws_iam_role.source.id
  policy = data.aws_iam_policy_document.source.json

  lifecycle {
    precondition {
      condition     = endswith(var.msk_cluster_arn, ":cluster/${var.msk_cluster_name}/${var.msk_cluster_uuid}")
      error_message = "msk_cluster_name and msk_cluster_uuid must be the last two segments of msk_cluster_arn (${var.msk_cluster_arn})."
    }
  }
}

resource "aws_iam_role" "sink" {
  name                 = "${local.connector_names.sink}-connect"
  description          = "MSK Connect service execution role of the Debezium JDBC sink ${local.connector_names.sink}"
  assume_role_policy   = data.aws_iam_policy_document.assume_role["sink"].json
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy" "sink" {
  name   = "baton-cdc-jdbc-sink"
  role   = aws_iam_role.sink.id
  policy = data.aws_iam_policy_document.sink.json
}

################################################################################
# Plugins, worker configuration, connectors
################################################################################

resource "aws_mskconnect_custom_plugin" "this" {
  for_each = {
    source = { name = "debezium-connector-oracle", key = var.oracle_source_plugin_key, what = "Debezium Oracle source (LogMiner)" }
    sink   = { name = "debezium-connector-jdbc", key = var.jdbc_sink_plugin_key, what = "Debezium JDBC sink" }
  }

  name         = "${var.name_prefix}-${each.value.name}"
  description  = "${each.value.what} with Baton's Secrets Manager ConfigProvider"
  content_type = "ZIP"

  location {
    s3 {
      bucket_arn = var.plugin_bucket_arn
      file_key   = each.value.key
    }
  }

  tags = var.tags
}

# JSON with schemas (cdc/README.md: why not Avro) and the ConfigProvider both connectors name their secrets with;
# MSK Connect loads a worker configuration's providers from the connector's custom plugin
resource "aws_mskconnect_worker_configuration" "this" {
  name        = "${var.name_prefix}-baton-cdc"
  description = "Baton CDC: JSON with schemas, secrets from AWS Secrets Manager"

  properties_file_content = <<-PROPERTIES
    key.converter=${local.json_converter}
    key.converter.schemas.enable=true
    value.converter=${local.json_converter}
    value.converter.schemas.enable=true
    config.providers=sm
    config.providers.sm.class=dev.baton.config.providers.SecretsManagerConfigProvider
    config.providers.sm.param.region=${local.region}
  PROPERTIES

  tags = var.tags
}

resource "aws_mskconnect_connector" "this" {
  for_each = {
    source = {
      description   = "Baton CDC: Oracle changes (LogMiner) into ${var.topic_prefix}.<schema>.<table>"
      configuration = local.oracle_source_configuration
      role_arn      = aws_iam_role.source.arn
    }
    sink = {
      description   = "Baton CDC: ${var.topic_prefix}.* upserted and deleted into Aurora PostgreSQL ${var.target_database}"
      configuration = local.jdbc_sink_configuration
      role_arn      = aws_iam_role.sink.arn
    }
  }

  name                 = local.connector_names[each.key]
  description          = each.value.description
  kafkaconnect_version = var.kafkaconnect_version

  capacity {
    provisioned_capacity {
      mcu_count    = var.mcu_count
      worker_count = 1
    }
  }

  connector_configuration = each.value.configuration

  kafka_cluster {
    apache_kafka_cluster {
      bootstrap_servers = var.bootstrap_brokers_sasl_iam

      vpc {
        security_groups = var.security_group_ids
        subnets         = var.private_subnet_ids
      }
    }
  }

  kafka_cluster_client_authentication {
    authentication_type = "IAM"
  }

  kafka_cluster_encryption_in_transit {
    encryption_type = "TLS"
  }

  plugin {
    custom_plugin {
      arn      = aws_mskconnect_custom_plugin.this[each.key].arn
      revision = aws_mskconnect_custom_plugin.this[each.key].latest_revision
    }
  }

  worker_configuration {
    arn      = aws_mskconnect_worker_configuration.this.arn
    revision = aws_mskconnect_worker_configuration.this.latest_revision
  }

  log_delivery {
    worker_log_delivery {
      cloudwatch_logs {
        enabled   = true
        log_group = aws_cloudwatch_log_group.this[each.key].name
      }
    }
  }

  service_execution_role_arn = each.value.role_arn
  tags                       = var.tags

  # the roles must hold their permissions before the workers start
  depends_on = [aws_iam_role_policy.source, aws_iam_role_policy.sink]
}
