output "kms_key_arn" {
  description = "ARN of the customer managed KMS key (alias alias/<name_prefix>-data) encrypting the buckets; pass it to the other modules for queues, MSK and log groups."
  value       = aws_kms_key.this.arn
}

output "landing_bucket_name" {
  description = "Name of the landing bucket (incoming files; sends EventBridge notifications)."
  value       = aws_s3_bucket.this["landing"].id
}

output "landing_bucket_arn" {
  description = "ARN of the landing bucket."
  value       = aws_s3_bucket.this["landing"].arn
}

output "warehouse_bucket_name" {
  description = "Name of the warehouse bucket (Iceberg tables of the Glue databases)."
  value       = aws_s3_bucket.this["warehouse"].id
}

output "warehouse_bucket_arn" {
  description = "ARN of the warehouse bucket."
  value       = aws_s3_bucket.this["warehouse"].arn
}

output "export_bucket_name" {
  description = "Name of the export bucket (published results, Athena query results under athena-results/)."
  value       = aws_s3_bucket.this["export"].id
}

output "export_bucket_arn" {
  description = "ARN of the export bucket."
  value       = aws_s3_bucket.this["export"].arn
}

output "log_bucket_name" {
  description = "Name of the log bucket receiving the server access logs of the landing, warehouse and export buckets under s3-access-logs/<bucket role>/."
  value       = aws_s3_bucket.this["logs"].id
}
