output "landing_bucket_name" {
  description = "Where producers upload files (prefixes in landing_prefixes start pipelines)."
  value       = module.buckets.landing_bucket_name
}

output "warehouse_bucket_name" {
  description = "The Iceberg warehouse and the controller's checkpoint."
  value       = module.buckets.warehouse_bucket_name
}

output "kafka_bootstrap_servers" {
  description = "MSK's IAM (SASL_SSL, port 9098) bootstrap servers: Baton's kafka.bootstrap.servers."
  value       = module.msk.bootstrap_brokers_sasl_iam
}

output "event_queue_url" {
  description = "The SQS queue the event connector reads (S3 Object Created and EMR state changes)."
  value       = module.object_events.queue_url
}

output "athena_workgroup" {
  description = "The Athena workgroup analysts query Baton's tables in."
  value       = module.glue_athena.workgroup_name
}

output "emr_serverless_application_id" {
  description = "The EMR Serverless application Baton's stages run on (launcher profile emr)."
  value       = module.emr_serverless.application_id
}

output "controller_role_arn" {
  description = "The controller's IAM role (IRSA)."
  value       = module.spark_eks.controller_role_arn
}

output "aurora_endpoint" {
  description = "Aurora PostgreSQL's writer endpoint (the CDC target)."
  value       = module.aurora.cluster_endpoint
}

output "aurora_master_user_secret_arn" {
  description = "The Secrets Manager secret holding Aurora's master password (never in state as plain text)."
  value       = module.aurora.master_user_secret_arn
}
