# Baton on EKS: the namespace, the service accounts of Spark (drivers and executors) and of the controller with
# their IRSA roles, and the Roles/RoleBindings of deploy/kubernetes/rbac.yaml.

data "aws_partition" "current" {}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region
  account_id = data.aws_caller_identity.current.account_id

  # fixed names: Baton's Spark image names baton-spark (spark.kubernetes.authenticate.*.serviceAccountName in
  # deploy/spark-image/spark-defaults.conf)
  spark_service_account      = "baton-spark"
  controller_service_account = "baton-controller"

  labels = {
    "app.kubernetes.io/part-of"    = "baton"
    "app.kubernetes.io/managed-by" = "terraform"
  }

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

  baton_topics   = ["baton.objects", "baton.control", "baton.dlq", "baton.alerts", "baton.ledger"]
  msk_topic_arns = { for topic in local.baton_topics : topic => "${local.msk_arn_prefix}:topic/${local.msk_cluster_path}/${topic}" }

  # Spark's Kafka source names its consumer groups spark-kafka-source-<query uuid>-...
  msk_controller_group_arn = "${local.msk_arn_prefix}:group/${local.msk_cluster_path}/spark-kafka-source-*"

  checkpoint_object_arn = "${var.warehouse_bucket_arn}/${var.controller_checkpoint_prefix}*"

  launchers_enabled = length(concat(
    var.emr_serverless_application_arns,
    var.emr_virtual_cluster_arns,
    var.emr_cluster_arns,
  )) > 0
}

################################################################################
# Kubernetes: namespace, service accounts, RBAC (deploy/kubernetes/*.yaml)
################################################################################

resource "kubernetes_namespace_v1" "this" {
  metadata {
    name = var.namespace
    labels = merge(local.labels, {
      # Spark's pod templates set no seccomp profile, which "restricted" requires: enforce baseline, warn on restricted
      "pod-security.kubernetes.io/enforce" = var.pod_security_enforce
      "pod-security.kubernetes.io/warn"    = "restricted"
      "pod-security.kubernetes.io/audit"   = "restricted"
    })
  }
}

resource "kubernetes_service_account_v1" "spark" {
  metadata {
    name      = local.spark_service_account
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
    annotations = {
      "eks.amazonaws.com/role-arn"               = aws_iam_role.spark.arn
      "eks.amazonaws.com/sts-regional-endpoints" = "true"
    }
  }
}

resource "kubernetes_service_account_v1" "controller" {
  metadata {
    name      = local.controller_service_account
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
    annotations = {
      "eks.amazonaws.com/role-arn"               = aws_iam_role.controller.arn
      "eks.amazonaws.com/sts-regional-endpoints" = "true"
    }
  }
}

# What Spark's driver needs in its namespace: create and watch its executor pods, their config map and the
# driver's headless service.
resource "kubernetes_role_v1" "spark_driver" {
  metadata {
    name      = "baton-spark-driver"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
  }

  rule {
    api_groups = [""]
    resources  = ["pods", "services", "configmaps", "persistentvolumeclaims"]
    verbs      = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]
  }
}

resource "kubernetes_role_binding_v1" "spark_driver" {
  metadata {
    name      = "baton-spark-driver"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
  }

  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.spark_driver.metadata[0].name
  }

  subject {
    kind      = "ServiceAccount"
    name      = kubernetes_service_account_v1.spark.metadata[0].name
    namespace = kubernetes_namespace_v1.this.metadata[0].name
  }
}

# What the controller needs to submit drivers in cluster mode, watch their pods (an attempt's outcome) and delete
# them (cancel); with the Spark Operator, the same for SparkApplications.
resource "kubernetes_role_v1" "controller" {
  metadata {
    name      = "baton-controller"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
  }

  rule {
    api_groups = [""]
    resources  = ["pods"]
    verbs      = ["get", "list", "watch", "create", "delete"]
  }

  rule {
    api_groups = [""]
    resources  = ["services", "configmaps", "persistentvolumeclaims"]
    verbs      = ["get", "list", "create", "update", "patch", "delete"]
  }

  dynamic "rule" {
    for_each = var.spark_operator_enabled ? ["sparkoperator.k8s.io"] : []

    content {
      api_groups = [rule.value]
      resources  = ["sparkapplications"]
      verbs      = ["get", "list", "watch", "create", "delete"]
    }
  }
}

resource "kubernetes_role_binding_v1" "controller" {
  metadata {
    name      = "baton-controller"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
  }

  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.controller.metadata[0].name
  }

  subject {
    kind      = "ServiceAccount"
    name      = kubernetes_service_account_v1.controller.metadata[0].name
    namespace = kubernetes_namespace_v1.this.metadata[0].name
  }
}

################################################################################
# IRSA roles
################################################################################

data "aws_iam_policy_document" "spark_assume_role" {
  statement {
    sid     = "IrsaBatonSpark"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.oidc_provider_url}:sub"
      values   = ["system:serviceaccount:${var.namespace}:${local.spark_service_account}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.oidc_provider_url}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "controller_assume_role" {
  statement {
    sid     = "IrsaBatonController"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.oidc_provider_url}:sub"
      values   = ["system:serviceaccount:${var.namespace}:${local.controller_service_account}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.oidc_provider_url}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "spark" {
  name                  = "${var.name_prefix}-spark"
  description           = "Baton Spark drivers and executors on EKS (IRSA: ${var.namespace}/${local.spark_service_account})"
  assume_role_policy    = data.aws_iam_policy_document.spark_assume_role.json
  permissions_boundary  = var.permissions_boundary_arn
  max_session_duration  = 3600
  force_detach_policies = true
  tags                  = var.tags
}

resource "aws_iam_role" "controller" {
  name                  = "${var.name_prefix}-controller"
  description           = "Baton controller on EKS (IRSA: ${var.namespace}/${local.controller_service_account})"
  assume_role_policy    = data.aws_iam_policy_document.controller_assume_role.json
  permissions_boundary  = var.permissions_boundary_arn
  max_session_duration  = 3600
  force_detach_policies = true
  tags                  = var.tags
}

################################################################################
# Data access: Spark and the controller (which also runs in-process stages)
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
  name        = "${var.name_prefix}-spark-data-access"
  description = "Baton Spark jobs: S3 landing (read), warehouse and export (read/write), Glue tables, KMS, MSK write to baton.control"
  policy      = data.aws_iam_policy_document.data_access.json
  tags        = var.tags

  lifecycle {
    precondition {
      condition     = local.msk_cluster_arn_ok
      error_message = "msk_cluster_arn must end in cluster/<msk_cluster_name>/<msk_cluster_uuid>: the topic ARNs are built from them."
    }
  }
}

resource "aws_iam_role_policy_attachment" "spark_data_access" {
  role       = aws_iam_role.spark.name
  policy_arn = aws_iam_policy.data_access.arn
}

resource "aws_iam_role_policy_attachment" "controller_data_access" {
  role       = aws_iam_role.controller.name
  policy_arn = aws_iam_policy.data_access.arn
}

################################################################################
# Controller: Kafka topics and groups, checkpoint, namespaces
################################################################################

data "aws_iam_policy_document" "controller" {
  statement {
    sid    = "MskReadTopics"
    effect = "Allow"
    actions = [
      "kafka-cluster:ReadData",
      "kafka-cluster:DescribeTopic",
    ]
    resources = [for topic in ["baton.objects", "baton.control", "baton.ledger", "baton.dlq"] : local.msk_topic_arns[topic]]
  }

  statement {
    sid    = "MskWriteTopics"
    effect = "Allow"
    actions = [
      "kafka-cluster:WriteData",
      "kafka-cluster:DescribeTopic",
    ]
    resources = [for topic in ["baton.control", "baton.dlq", "baton.alerts", "baton.ledger"] : local.msk_topic_arns[topic]]
  }

  # the controller's init container runs `baton topics create`: the topics that do not exist yet
  statement {
    sid    = "MskCreateTopics"
    effect = "Allow"
    actions = [
      "kafka-cluster:CreateTopic",
      "kafka-cluster:DescribeTopic",
    ]
    resources = values(local.msk_topic_arns)
  }

  statement {
    sid    = "MskConsumerGroups"
    effect = "Allow"
    actions = [
      "kafka-cluster:DescribeGroup",
      "kafka-cluster:AlterGroup",
    ]
    resources = [local.msk_controller_group_arn]
  }

  statement {
    sid       = "GlueCreateDatabases"
    effect    = "Allow"
    actions   = ["glue:CreateDatabase"]
    resources = concat([local.glue_catalog_arn], local.glue_database_arns)
  }

  statement {
    sid       = "S3ListCheckpoint"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [var.warehouse_bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = [var.controller_checkpoint_prefix, "${var.controller_checkpoint_prefix}*"]
    }
  }

  statement {
    sid    = "S3ReadWriteCheckpoint"
    effect = "Allow"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = [local.checkpoint_object_arn]
  }
}

resource "aws_iam_policy" "controller" {
  name        = "${var.name_prefix}-controller"
  description = "Baton controller: MSK topics and consumer groups, checkpoint and launch journal on S3, Glue namespaces"
  policy      = data.aws_iam_policy_document.controller.json
  tags        = var.tags
}

resource "aws_iam_role_policy_attachment" "controller" {
  role       = aws_iam_role.controller.name
  policy_arn = aws_iam_policy.controller.arn
}

################################################################################
# Controller: EMR launchers (README "EMR: Serverless, on EKS, steps on EC2"), only for the targets given
################################################################################

data "aws_iam_policy_document" "controller_launchers" {
  dynamic "statement" {
    for_each = length(var.emr_serverless_application_arns) > 0 ? [var.emr_serverless_application_arns] : []

    content {
      sid    = "EmrServerlessJobRuns"
      effect = "Allow"
      actions = [
        "emr-serverless:StartJobRun",
        "emr-serverless:GetJobRun",
        "emr-serverless:ListJobRuns",
        "emr-serverless:CancelJobRun",
        "emr-serverless:TagResource",
      ]
      resources = concat(statement.value, [for arn in statement.value : "${arn}/jobruns/*"])
    }
  }

  dynamic "statement" {
    for_each = length(var.emr_serverless_application_arns) > 0 && length(var.emr_job_role_arns) > 0 ? [var.emr_job_role_arns] : []

    content {
      sid       = "EmrServerlessPassJobRole"
      effect    = "Allow"
      actions   = ["iam:PassRole"]
      resources = statement.value

      condition {
        test     = "StringEquals"
        variable = "iam:PassedToService"
        values   = ["emr-serverless.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.emr_virtual_cluster_arns) > 0 && length(var.emr_job_role_arns) > 0 ? [var.emr_virtual_cluster_arns] : []

    content {
      sid       = "EmrContainersStartJobRun"
      effect    = "Allow"
      actions   = ["emr-containers:StartJobRun"]
      resources = statement.value

      condition {
        test     = "ArnEquals"
        variable = "emr-containers:ExecutionRoleArn"
        values   = var.emr_job_role_arns
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.emr_virtual_cluster_arns) > 0 ? [var.emr_virtual_cluster_arns] : []

    content {
      sid    = "EmrContainersJobRuns"
      effect = "Allow"
      actions = [
        "emr-containers:DescribeJobRun",
        "emr-containers:ListJobRuns",
        "emr-containers:CancelJobRun",
        "emr-containers:TagResource",
      ]
      resources = concat(statement.value, [for arn in statement.value : "${arn}/jobruns/*"])
    }
  }

  dynamic "statement" {
    for_each = length(var.emr_cluster_arns) > 0 ? [var.emr_cluster_arns] : []

    content {
      sid       = "EmrStepsAdd"
      effect    = "Allow"
      actions   = ["elasticmapreduce:AddJobFlowSteps"]
      resources = statement.value

      # a step's runtime role (launchers.<name>.execution-role-arn) is optional: when one is given it must be one of
      # emr_job_role_arns; a step without one runs with the cluster's EC2 instance profile
      dynamic "condition" {
        for_each = length(var.emr_job_role_arns) > 0 ? [var.emr_job_role_arns] : []

        content {
          test     = "ArnEqualsIfExists"
          variable = "elasticmapreduce:ExecutionRoleArn"
          values   = condition.value
        }
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.emr_cluster_arns) > 0 ? [var.emr_cluster_arns] : []

    content {
      sid    = "EmrStepsFollow"
      effect = "Allow"
      actions = [
        "elasticmapreduce:ListSteps",
        "elasticmapreduce:DescribeStep",
        "elasticmapreduce:CancelSteps",
      ]
      resources = statement.value
    }
  }
}

resource "aws_iam_policy" "controller_launchers" {
  count = local.launchers_enabled ? 1 : 0

  name        = "${var.name_prefix}-controller-launchers"
  description = "Baton controller: start, follow and cancel EMR Serverless, EMR on EKS and EMR step jobs"
  policy      = data.aws_iam_policy_document.controller_launchers.json
  tags        = var.tags

  lifecycle {
    precondition {
      condition     = length(var.emr_serverless_application_arns) + length(var.emr_virtual_cluster_arns) == 0 || length(var.emr_job_role_arns) > 0
      error_message = "emr_job_role_arns must name the job roles when emr_serverless_application_arns or emr_virtual_cluster_arns is given: StartJobRun passes one."
    }
  }
}

resource "aws_iam_role_policy_attachment" "controller_launchers" {
  count = local.launchers_enabled ? 1 : 0

  role       = aws_iam_role.controller.name
  policy_arn = aws_iam_policy.controller_launchers[0].arn
}
