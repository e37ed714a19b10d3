output "cluster_endpoint" {
  description = "Writer endpoint of the cluster (host name; TLS required)."
  value       = aws_rds_cluster.this.endpoint
}

output "reader_endpoint" {
  description = "Load-balanced reader endpoint of the cluster (host name; TLS required)."
  value       = aws_rds_cluster.this.reader_endpoint
}

output "port" {
  description = "Port the cluster listens on (5432)."
  value       = aws_rds_cluster.this.port
}

output "master_user_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the master user's credentials (managed and rotated by RDS, KMS encrypted)."
  value       = one(aws_rds_cluster.this.master_user_secret[*].secret_arn)
}

output "security_group_id" {
  description = "ID of the cluster's security group (5432 in from the client security groups only)."
  value       = aws_security_group.this.id
}

output "cluster_resource_id" {
  description = "Resource ID of the cluster (cluster-...), for rds-db:connect ARNs arn:aws:rds-db:<region>:<account>:dbuser:<cluster_resource_id>/<db user>."
  value       = aws_rds_cluster.this.cluster_resource_id
}
