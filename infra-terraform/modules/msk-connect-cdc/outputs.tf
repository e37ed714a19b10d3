output "source_connector_arn" {
  description = "ARN of the MSK Connect connector running Debezium's Oracle source."
  value       = aws_mskconnect_connector.this["source"].arn
}

output "sink_connector_arn" {
  description = "ARN of the MSK Connect connector running Debezium's JDBC sink into Aurora PostgreSQL."
  value       = aws_mskconnect_connector.this["sink"].arn
}

output "source_role_arn" {
  description = "ARN of the Oracle source's service execution role."
  value       = aws_iam_role.source.arn
}

output "sink_role_arn" {
  description = "ARN of the JDBC sink's service execution role."
  value       = aws_iam_role.sink.arn
}

output "log_group_names" {
  description = "Names of the KMS-encrypted CloudWatch log groups of the connectors' worker logs, by connector (source, sink)."
  value       = { for key, group in aws_cloudwatch_log_group.this : key => group.name }
}
