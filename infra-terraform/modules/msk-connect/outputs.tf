output "connector_arn" {
  description = "ARN of the MSK Connect connector running dev.baton.connect.s3.S3EventSourceConnector."
  value       = aws_mskconnect_connector.this.arn
}

output "service_execution_role_arn" {
  description = "ARN of the connector's service execution role (the identity its SQS, S3, EMR and MSK calls run as)."
  value       = aws_iam_role.this.arn
}

output "log_group_name" {
  description = "Name of the KMS-encrypted CloudWatch log group receiving the connector's worker logs."
  value       = aws_cloudwatch_log_group.this.name
}
