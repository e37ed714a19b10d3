data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  connector_name = "${var.name_prefix}-s3-events"
  account_id     = data.aws_caller_identity.current.account_id
  region         = data.aws_region.current.region
  partition      = data.aws_partition.current.partition

  # arn:<partition>:kafka:<region>:<account> of the cluster, the prefix of its topic and group ARNs
  kafka_arn_prefix = join(":", slice(split(":", var.msk_cluster_arn), 0, 5))
  topic_arn_prefix = "${local.kafka_arn_prefix}:topic/${var.msk_cluster_name}/${var.msk_cluster_uuid}"
  group_arn_prefix = "${local.kafka_arn_prefix}:group/${var.msk_cluster_name}/${var.msk_cluster_uuid}"

  queue_region       = element(split(":", var.queue_arn), 3)
  landing_bucket     = element(split(":::", var.landing_bucket_arn), 1)
  landing_bucket_key = "${var.landing_bucket_arn}/"

  # Baton's topics the connector writes (ingest-connectors/README.md "Keys": topic, control.topic, dlq.topic)
  topics = {
    objects = "baton.objects"
    control = "baton.control"
    dlq     = "baton.dlq"
  }

  byte_array_converter = "org.apache.kafka.connect.converters.ByteArrayConverter"

  connector_configuration = merge(var.additional_connector_configuration, {
    "connector.class"  = "dev.baton.connect.s3.S3EventSourceConnector"
    "tasks.max"        = tostring(var.tasks_max)
    "mode"             = "sqs"
    "sqs.queue.url"    = var.queue_url
    "sqs.region"       = local.queue_region
    "s3.region"        = local.region
    "s3.bucket"        = local.landing_bucket
    "topic"            = local.topics.objects
    "control.topic"    = local.topics.control
    "dlq.topic"        = local.topics.dlq
    "errors.tolerance" = "none" # "all" would acknowledge failed writes and delete their messages
    "key.converter"    = local.byte_array_converter
    "value.converter"  = local.byte_array_converter
  })

  # KMS decrypts happen through SQS (encrypted queue) and, for flag files, S3 (SSE-KMS objects).
  kms_via_services = concat(
    ["sqs.${local.queue_region}.${data.aws_partition.current.dns_suffix}"],
    length(var.flag_prefixes) > 0 ? ["s3.${local.region}.${data.aws_partition.current.dns_suffix}"] : [],
  )
}

################################################################################
# Connector logs (KMS encrypted)
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/mskconnect/${local.connector_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

################################################################################
# Service execution role
################################################################################

data "aws_iam_policy_document" "assume_role" {
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
      values   = ["arn:${local.partition}:kafkaconnect:${local.region}:${local.account_id}:connector/${local.connector_name}/*"]
    }
  }
}

data "aws_iam_policy_document" "permissions" {
  statement {
    sid       = "ConsumeEventQueue"
    effect    = "Allow"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage"]
    resources = [var.queue_arn]
  }

  statement {
    sid       = "DecryptQueueAndFlagFiles"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = local.kms_via_services
    }
  }

  dynamic "statement" {
    for_each = length(var.flag_prefixes) > 0 ? [1] : []

    content {
      sid       = "ReadFlagFiles"
      effect    = "Allow"
      actions   = ["s3:GetObject"]
      resources = [for prefix in var.flag_prefixes : "${local.landing_bucket_key}${prefix}*"]
    }
  }

  dynamic "statement" {
    for_each = length(var.emr_serverless_application_arns) > 0 ? [1] : []

    content {
      sid       = "LookUpEmrServerlessJobRuns"
      effect    = "Allow"
      actions   = ["emr-serverless:GetJobRun"]
      resources = [for arn in var.emr_serverless_application_arns : "${arn}/jobruns/*"]
    }
  }

  dynamic "statement" {
    for_each = length(var.emr_cluster_arns) > 0 ? [1] : []

    content {
      sid       = "LookUpEmrSteps"
      effect    = "Allow"
      actions   = ["elasticmapreduce:DescribeStep"]
      resources = var.emr_cluster_arns
    }
  }

  dynamic "statement" {
    for_each = length(var.emr_virtual_cluster_arns) > 0 ? [1] : []

    content {
      sid       = "LookUpEmrOnEksJobRuns"
      effect    = "Allow"
      actions   = ["emr-containers:DescribeJobRun"]
      resources = [for arn in var.emr_virtual_cluster_arns : "${arn}/jobruns/*"]
    }
  }

  statement {
    sid    = "ConnectToCluster"
    effect = "Allow"
    actions = [
      "kafka-cluster:Connect",
      "kafka-cluster:DescribeCluster",
      "kafka-cluster:WriteDataIdempotently",
    ]
    resources = [var.msk_cluster_arn]
  }

  statement {
    sid       = "WriteBatonTopics"
    effect    = "Allow"
    actions   = ["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"]
    resources = [for topic in values(local.topics) : "${local.topic_arn_prefix}/${topic}"]
  }

  # The worker's config, offset and status topics: named after the connector
  # (__amazon_msk_connect_<configs|offsets|status>_<connector name>_<connector id>; one AWS page spells the
  # prefix __msk_connect_), created by MSK Connect through this role.
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
      "${local.topic_arn_prefix}/__amazon_msk_connect_*_${local.connector_name}_*",
      "${local.topic_arn_prefix}/__msk_connect_*_${local.connector_name}_*",
    ]
  }

  # The worker group (MSK Connect's __amazon_msk_connect_* groups, as AWS documents them) and the
  # connector's own group (Kafka Connect names it connect-<connector name>).
  statement {
    sid     = "ConnectWorkerGroups"
    effect  = "Allow"
    actions = ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"]
    resources = [
      "${local.group_arn_prefix}/__amazon_msk_connect_*",
      "${local.group_arn_prefix}/connect-${local.connector_name}",
    ]
  }
}

resource "aws_iam_role" "this" {
  name                 = "${local.connector_name}-connect"
  description          = "MSK Connect service execution role of the Baton connector ${local.connector_name}"
  assume_role_policy   = data.aws_iam_policy_document.assume_role.json
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = "baton-s3-event-source"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.permissions.json

  lifecycle {
    precondition {
      condition     = endswith(var.msk_cluster_arn, ":cluster/${var.msk_cluster_name}/${var.msk_cluster_uuid}")
      error_message = "msk_cluster_name and msk_cluster_uuid must be the last two segments of msk_cluster_arn (${var.msk_cluster_arn})."
    }
  }
}

################################################################################
# Plugin, worker configuration, connector
################################################################################

resource "aws_mskconnect_custom_plugin" "this" {
  name         = "${var.name_prefix}-baton-ingest-connectors"
  description  = "Baton ingest connectors (dev.baton.connect.s3.S3EventSourceConnector)"
  content_type = "ZIP"

  location {
    s3 {
      bucket_arn     = var.plugin_bucket_arn
      file_key       = var.plugin_object_key
      object_version = var.plugin_object_version
    }
  }

  tags = var.tags
}

resource "aws_mskconnect_worker_configuration" "this" {
  name        = "${var.name_prefix}-baton-bytes"
  description = "Pass Baton's Confluent-framed Avro bytes through untouched"

  properties_file_content = <<-PROPERTIES
    key.converter=${local.byte_array_converter}
    value.converter=${local.byte_array_converter}
  PROPERTIES

  tags = var.tags
}

resource "aws_mskconnect_connector" "this" {
  name                 = local.connector_name
  description          = "Baton: S3 object and EMR job events from SQS into baton.objects / baton.control / baton.dlq"
  kafkaconnect_version = var.kafkaconnect_version

  capacity {
    provisioned_capacity {
      mcu_count    = var.mcu_count
      worker_count = var.worker_count
    }
  }

  connector_configuration = local.connector_configuration

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
      arn      = aws_mskconnect_custom_plugin.this.arn
      revision = aws_mskconnect_custom_plugin.this.latest_revision
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
        log_group = aws_cloudwatch_log_group.this.name
      }
    }
  }

  service_execution_role_arn = aws_iam_role.this.arn
  tags                       = var.tags

  # the role must hold its permissions before the workers start
  depends_on = [aws_iam_role_policy.this]
}
