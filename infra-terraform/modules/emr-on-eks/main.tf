# Baton on EMR on EKS: a virtual cluster on a namespace of an existing EKS cluster and the job execution role its
# job runs use (launchers.<name>.type=emr-containers: virtual-cluster-id and execution-role-arn).

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

  # EMR on EKS runs a job's pods under service accounts it creates at submission, named (AWS's documented trust
  # pattern) emr-containers-sa-*-*-<account id>-<base36 of the role name>. Terraform has no base36 encoding, so the
  # role name part is a wildcard: every EMR on EKS job service account of this account in the namespace.
  job_service_accounts = "system:serviceaccount:${var.namespace}:emr-containers-sa-*-*-${local.account_id}-*"
}

################################################################################
# Virtual cluster
################################################################################

resource "aws_emrcontainers_virtual_cluster" "this" {
  name = "${var.name_prefix}-spark"

  container_provider {
    id   = var.eks_cluster_name
    type = "EKS"

    info {
      eks_info {
        namespace = var.namespace
      }
    }
  }

  tags = var.tags
}

################################################################################
# Job execution role: IRSA for the service accounts EMR on EKS creates in the namespace
################################################################################

data "aws_iam_policy_document" "job_assume_role" {
  statement {
    sid     = "IrsaEmrContainersJobs"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }

    condition {
      test     = "StringLike"
      variable = "${var.oidc_provider_url}:sub"
      values   = [local.job_service_accounts]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.oidc_provider_url}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "job" {
  name                  = "${var.name_prefix}-emr-eks-job"
  description           = "Baton Spark job runs on EMR on EKS (namespace ${var.namespace} of ${var.eks_cluster_name})"
  assume_role_policy    = data.aws_iam_policy_document.job_assume_role.json
  permissions_boundary  = var.permissions_boundary_arn
  max_session_duration  = 3600
  force_detach_policies = true
  tags                  = var.tags
}

################################################################################
# Data access (the same statements as spark-eks and emr-serverless)
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
  name        = "${var.name_prefix}-emr-eks-data-access"
  description = "Baton Spark jobs on EMR on EKS: S3 landing (read), warehouse and export (read/write), Glue tables, KMS, MSK write to baton.control"
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
