output "queue_url" {
  description = "URL of the events queue the connector polls (its sqs.queue.url)."
  value       = aws_sqs_queue.this.url
}

output "queue_arn" {
  description = "ARN of the events queue."
  value       = aws_sqs_queue.this.arn
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue: messages received max_receive_count times, and events EventBridge could not deliver."
  value       = aws_sqs_queue.dlq.arn
}

output "rule_arns" {
  description = "ARNs of the EventBridge rules targeting the queue, by rule: object-created, and emr-serverless, emr-steps, emr-containers when emr_state_change_rules is true."
  value       = local.rule_arns
}

output "object_created_event_pattern" {
  description = "The event pattern (JSON string) of the object-created rule: aws.s3 \"Object Created\" in the landing bucket under the landing prefixes."
  value       = local.object_created_event_pattern
}
