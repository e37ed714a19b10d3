output "virtual_cluster_id" {
  description = "ID of the EMR on EKS virtual cluster (launchers.<name>.virtual-cluster-id)."
  value       = aws_emrcontainers_virtual_cluster.this.id
}

output "virtual_cluster_arn" {
  description = "ARN of the EMR on EKS virtual cluster (the spark-eks module's emr_virtual_cluster_arns)."
  value       = aws_emrcontainers_virtual_cluster.this.arn
}

output "job_role_arn" {
  description = "ARN of the job execution role (launchers.<name>.execution-role-arn; the spark-eks module's emr_job_role_arns)."
  value       = aws_iam_role.job.arn
}
