output "namespace" {
  description = "Name of the Kubernetes namespace created for Baton (launchers.<name>.namespace of Kubernetes launcher profiles)."
  value       = kubernetes_namespace_v1.this.metadata[0].name
}

output "spark_role_arn" {
  description = "ARN of the IAM role of Spark drivers and executors (IRSA role of the baton-spark service account)."
  value       = aws_iam_role.spark.arn
}

output "controller_role_arn" {
  description = "ARN of the IAM role of the Baton controller (IRSA role of the baton-controller service account)."
  value       = aws_iam_role.controller.arn
}

output "spark_service_account" {
  description = "Name of the service account of Spark drivers and executors (spark.kubernetes.authenticate.{driver,executor}.serviceAccountName)."
  value       = kubernetes_service_account_v1.spark.metadata[0].name

  # usable only once its RBAC and IAM permissions are in place
  depends_on = [
    kubernetes_role_binding_v1.spark_driver,
    aws_iam_role_policy_attachment.spark_data_access,
  ]
}

output "controller_service_account" {
  description = "Name of the controller's service account (the controller module's service_account input)."
  value       = kubernetes_service_account_v1.controller.metadata[0].name

  # usable only once its RBAC and IAM permissions are in place (the controller module starts the pod on it)
  depends_on = [
    kubernetes_role_binding_v1.controller,
    aws_iam_role_policy_attachment.controller_data_access,
    aws_iam_role_policy_attachment.controller,
    aws_iam_role_policy_attachment.controller_launchers,
  ]
}
