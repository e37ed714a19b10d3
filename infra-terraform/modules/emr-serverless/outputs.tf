output "application_id" {
  description = "ID of the EMR Serverless application (launchers.<name>.application-id)."
  value       = aws_emrserverless_application.this.id
}

output "application_arn" {
  description = "ARN of the EMR Serverless application (the spark-eks module's emr_serverless_application_arns)."
  value       = aws_emrserverless_application.this.arn
}

output "job_role_arn" {
  description = "ARN of the job runs' execution role (launchers.<name>.execution-role-arn; the spark-eks module's emr_job_role_arns)."
  value       = aws_iam_role.job.arn
}
