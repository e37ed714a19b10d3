# Baton on EMR Serverless: a Spark application in the private subnets and the job role its job runs use
# (launchers.<name>.type=emr-serverless: application-id and execution-role-arn).

data "aws_partition" "current" {}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region
  account_id = data.aws_caller_identity.current.account_id

  # Glue: the catalog, each database and its tables (provider's region and account)
  glue_arn_prefix    = "arn:${local.partition}:glue:${local.region}:${local.account_id}"
  glue_catalog_arn   = "${local.glue_arn_prefix}:catalog"
  glue_database_arns = [for db in var.glue_database_names : "${local.glue_arn_prefix}:database/${db}"]
  glue_table_arns    = [for db in var.glue_database_names : "${local.glue_arn_prefix}:table/${db}/*"]

  # MSK topic and group ARNs are in the cluster's own partition, region and account:
  # arn:<partition>:kafka:<region>:<account>:topic/<cluster name>/<cluster uuid>/<topic>
  msk_arn_parts      = split(":", var.msk_cluster_arn)
  msk_arn_prefix     = "arn:${local.msk_arn_parts[1]}:kafka:${local.msk_arn_parts[3]}:${local.msk_arn_parts[4]}"
  msk_cluster_path   = "${var.msk_cluster_name}/${var.msk_cluster_uuid}"
  msk_cluster_arn_ok = endswith(var.msk_cluster_arn, ":cluster/${local.msk_cluster_path}")

  msk_topic_arns = { for topic in ["baton.control"] : topic => "${local.msk_arn_prefix}:topic/${local.msk_cluster_path}/${topic}" }
}

################################################################################
# Application
################################################################################

resource "aws_emrserverless_application" "this" {
  name          = "${var.name_prefix}-spark"
  type          = "spark"
  release_label = var.release_label
  architecture  = var.architecture

  auto_start_configuration {
    enabled = true
  }

  auto_stop_configuration {
    enabled              = true
    idle_timeout_minutes = var.idle_timeout_minutes
  }

  maximum_capacity {
    cpu    = var.max_vcpu
    memory = var.max_memory
  }

  network_configuration {
    subnet_ids         = var.private_subnet_ids
    security_group_ids = var.security_group_ids
  }

  tags = var.tags
}

################################################################################
# Job role: trusted by EMR Serverless for this application only
################################################################################

data "aws_iam_policy_document" "job_assume_role" {
  statement {
    sid     = "EmrServerlessAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["emr-serverless.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    # the application does not depend on the role (a job run names its role), so this is no cycle
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [aws_emrserverless_application.this.arn]
    }
  }
}

resource "aws_iam_role" "job" {
  name                  = "${var.name_prefix}-emr-serverless-job"
  description           = "Baton Spark job runs on EMR Serverless application ${var.name_prefix}-spark"
  assume_role_policy    = data.aws_iam_policy_document.job_assume_role.json
  permissions_boundary  = var.permissions_boundary_arn
  max_session_duration  = 3600
  force_detach_policies = true
  tags                  = var.tags
}

################################################################################
# Data access (the same statements as spark-eks and emr-on-eks)
################################################################################

# Data access of Baton's Spark jobs. The same statements (same sids) are written in spark-eks, emr-serverless and
# emr-on-eks: keep them in step.
data "aws_iam_policy_document" "data_access" {
  statement {
    sid       = "S3ListBuckets"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [var.landing_bucket_arn, var.warehouse_bucket_arn, var.export_bucket_arn]
  }

  statement {
    sid       = "S3ReadLanding"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${var.landing_bucket_arn}/*"]
  }

  statement {
    sid    = "S3ReadWriteWarehouseAndExport"
    effect = "Allow"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = ["${var.warehouse_bucket_arn}/*", "${var.export_bucket_arn}/*"]
  }

  dynamic "statement" {
    for_each = length(var.artifact_object_arns) > 0 ? [var.artifact_object_arns] : []

    content {
      sid       = "S3ReadArtifacts"
      effect    = "Allow"
      actions   = ["s3:GetObject"]
      resources = statement.value
    }
  }

  statement {
    sid    = "GlueCatalogTables"
    effect = "Allow"
    actions = [
      "glue:GetDatabase",
      "glue:GetDatabases",
      "glue:GetTable",
      "glue:GetTables",
      "glue:CreateTable",
      "glue:UpdateTable",
    ]
    resources = concat([local.glue_catalog_arn], local.glue_database_arns, local.glue_table_arns)
  }

  # EMR Serverless's Spark uses the Glue Data Catalog as its Hive metastore by default, and a session looks up the
  # database "default" when it starts
  statement {
    sid       = "GlueDefaultDatabase"
    effect    = "Allow"
    actions   = ["glue:GetDatabase"]
    resources = [local.glue_catalog_arn, "${local.glue_arn_prefix}:database/default"]
  }

  statement {
    sid    = "KmsDataKey"
    effect = "Allow"
    actions = [
      "kms:Decrypt",
      "kms:GenerateDataKey",
      "kms:DescribeKey",
    ]
    resources = [var.kms_key_arn]

    # the key also protects the queues, logs, Kafka and Aurora's secret: jobs use it for S3 objects only
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }

  statement {
    sid    = "MskConnect"
    effect = "Allow"
    actions = [
      "kafka-cluster:Connect",
      "kafka-cluster:DescribeCluster",
      "kafka-cluster:WriteDataIdempotently",
    ]
    resources = [var.msk_cluster_arn]
  }

  statement {
    sid       = "MskWriteControlTopic"
    effect    = "Allow"
    actions   = ["kafka-cluster:WriteData", "kafka-cluster:DescribeTopic"]
    resources = [local.msk_topic_arns["baton.control"]]
  }
}

resource "aws_iam_policy" "data_access" {
  name        = "${var.name_prefix}-emr-serverless-data-access"
  description = "Baton Spark jobs on EMR Serverless: S3 landing (read), warehouse and export (read/write), Glue tables, KMS, MSK write to baton.control"
  policy      = data.aws_iam_policy_document.data_access.json
  tags        = var.tags

  lifecycle {
    precondition {
      condition     = local.msk_cluster_arn_ok
      error_message = "msk_cluster_arn must end in cluster/<msk_cluster_name>/<msk_cluster_uuid>: the topic ARNs are built from them."
    }
  }
}

resource "aws_iam_role_policy_attachment" "data_access" {
  role       = aws_iam_role.job.name
  policy_arn = aws_iam_policy.data_access.arn
}
