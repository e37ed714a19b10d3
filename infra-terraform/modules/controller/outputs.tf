output "deployment_name" {
  description = "Name of the controller's Deployment (kubectl -n <namespace> rollout status deployment/<name>)."
  value       = kubernetes_deployment_v1.this.metadata[0].name
}

output "config_map_name" {
  description = "Name of the ConfigMap holding baton.properties (mounted at /etc/baton; also usable as launchers.<name>.stage-config source for driver pods)."
  value       = kubernetes_config_map_v1.this.metadata[0].name
}

output "pipelines_config_map_name" {
  description = "Name of the ConfigMap holding the pipeline files (mounted at /etc/baton-pipelines)."
  value       = kubernetes_config_map_v1.pipelines.metadata[0].name
}
