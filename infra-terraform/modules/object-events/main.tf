data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  queue_name = "${var.name_prefix}-events"
  dlq_name   = "${var.name_prefix}-events-dlq"
  # Built from the name so the DLQ's redrive_allow_policy can name the main queue without a dependency cycle.
  queue_arn = "arn:${data.aws_partition.current.partition}:sqs:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:${local.queue_name}"

  # The "Object Created" event S3 sends to EventBridge (docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html):
  # source aws.s3, detail.bucket.name, detail.object.key; one prefix filter per landing prefix.
  object_created_event_pattern = jsonencode({
    source        = ["aws.s3"]
    "detail-type" = ["Object Created"]
    detail = {
      bucket = {
        name = [var.landing_bucket_name]
      }
      object = {
        key = [for prefix in var.landing_prefixes : { prefix = prefix }]
      }
    }
  })

  # Job state changes the connector turns into StageCompleted, filtered to the terminal states it acts on
  # (it skips the others). EMR on EKS: the payload is undocumented, so no filter on detail fields.
  emr_state_change_event_patterns = {
    emr-serverless = jsonencode({
      source        = ["aws.emr-serverless"]
      "detail-type" = ["EMR Serverless Job Run State Change"]
      detail = {
        state = ["SUCCESS", "FAILED", "CANCELLED"]
      }
    })
    emr-steps = jsonencode({
      source        = ["aws.emr"]
      "detail-type" = ["EMR Step Status Change"]
      detail = {
        state = ["COMPLETED", "FAILED", "CANCELLED", "INTERRUPTED"]
      }
    })
    emr-containers = jsonencode({
      source        = ["aws.emr-containers"]
      "detail-type" = ["EMR Job Run State Change", "EmrContainers Job Run State Change"]
    })
  }
  emr_state_change_rules = { for name, pattern in local.emr_state_change_event_patterns : name => pattern if var.emr_state_change_rules }

  rule_arns = merge(
    { object-created = aws_cloudwatch_event_rule.object_created.arn },
    { for name, rule in aws_cloudwatch_event_rule.emr_state_change : name => rule.arn },
  )
}

################################################################################
# Queue and dead-letter queue (KMS encrypted)
################################################################################

resource "aws_sqs_queue" "dlq" {
  name                              = local.dlq_name
  message_retention_seconds         = 1209600 # 14 days, the maximum
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = 300

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [local.queue_arn]
  })

  tags = merge(var.tags, { Name = local.dlq_name })
}

resource "aws_sqs_queue" "this" {
  name                              = local.queue_name
  visibility_timeout_seconds        = var.visibility_timeout_seconds
  message_retention_seconds         = var.message_retention_seconds
  receive_wait_time_seconds         = 20
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = 300

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.max_receive_count
  })

  tags = merge(var.tags, { Name = local.queue_name })
}

data "aws_iam_policy_document" "queue" {
  statement {
    sid       = "AllowEventBridgeRules"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.this.arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = values(local.rule_arns)
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.this.arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sqs_queue_policy" "this" {
  queue_url = aws_sqs_queue.this.id
  policy    = data.aws_iam_policy_document.queue.json
}

# The DLQ also is the rules' targets' dead-letter queue: events EventBridge could not deliver after its retries.
data "aws_iam_policy_document" "dlq" {
  statement {
    sid       = "AllowEventBridgeUndeliveredEvents"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dlq.arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = values(local.rule_arns)
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.dlq.arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sqs_queue_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  policy    = data.aws_iam_policy_document.dlq.json
}

################################################################################
# EventBridge rules (default bus) and their SQS targets
################################################################################

resource "aws_cloudwatch_event_rule" "object_created" {
  name           = "${var.name_prefix}-object-created"
  description    = "S3 Object Created in ${var.landing_bucket_name} under the landing prefixes, to the Baton events queue."
  event_bus_name = "default"
  event_pattern  = local.object_created_event_pattern
  state          = "ENABLED"

  tags = var.tags
}

resource "aws_cloudwatch_event_rule" "emr_state_change" {
  for_each = local.emr_state_change_rules

  name           = "${var.name_prefix}-${each.key}-state-change"
  description    = "Terminal ${each.key} job state changes, to the Baton events queue."
  event_bus_name = "default"
  event_pattern  = each.value
  state          = "ENABLED"

  tags = var.tags
}

resource "aws_cloudwatch_event_target" "object_created" {
  rule           = aws_cloudwatch_event_rule.object_created.name
  event_bus_name = "default"
  target_id      = "sqs"
  arn            = aws_sqs_queue.this.arn

  retry_policy {
    maximum_event_age_in_seconds = 86400
    maximum_retry_attempts       = 185
  }

  dead_letter_config {
    arn = aws_sqs_queue.dlq.arn
  }

  depends_on = [aws_sqs_queue_policy.this, aws_sqs_queue_policy.dlq]
}

resource "aws_cloudwatch_event_target" "emr_state_change" {
  for_each = aws_cloudwatch_event_rule.emr_state_change

  rule           = each.value.name
  event_bus_name = "default"
  target_id      = "sqs"
  arn            = aws_sqs_queue.this.arn

  retry_policy {
    maximum_event_age_in_seconds = 86400
    maximum_retry_attempts       = 185
  }

  dead_letter_config {
    arn = aws_sqs_queue.dlq.arn
  }

  depends_on = [aws_sqs_queue_policy.this, aws_sqs_queue_policy.dlq]
}
