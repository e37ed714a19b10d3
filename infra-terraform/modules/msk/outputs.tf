output "cluster_arn" {
  description = "ARN of the MSK cluster (serverless or provisioned, per var.mode)."
  value       = local.cluster_arn
}

output "cluster_name" {
  description = "Name of the MSK cluster, the <cluster name> of IAM topic and group ARNs."
  value       = local.cluster_name
}

output "cluster_uuid" {
  description = "UUID of the MSK cluster (the last segment of its ARN), the <cluster uuid> of IAM topic ARNs arn:aws:kafka:<region>:<account>:topic/<cluster name>/<cluster uuid>/<topic>."
  value       = local.cluster_uuid
}

output "bootstrap_brokers_sasl_iam" {
  description = "Comma-separated host:9098 bootstrap servers for SASL/IAM over TLS (Baton's kafka.bootstrap.servers)."
  value       = local.bootstrap_brokers_sasl_iam
}

output "security_group_id" {
  description = "ID of the cluster's security group (9098 in from the client security groups only)."
  value       = aws_security_group.this.id
}

output "topics" {
  description = "Baton's topics as given (name => {partitions, retention_ms}); not created by Terraform, see topic_creation_commands."
  value       = var.topics
}

output "topic_creation_commands" {
  description = "Topic name => the kafka-topics.sh command creating it with IAM authentication (--command-config client-iam.properties, see README); an operator runs them once."
  value       = local.topic_creation_commands
}
