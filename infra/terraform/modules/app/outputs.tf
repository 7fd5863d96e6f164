output "namespace" {
  description = "Namespace of the application."
  value       = kubernetes_namespace_v1.app.metadata[0].name
}

output "node_port" {
  description = "NodePort the load balancer forwards to."
  value       = var.node_port
}

output "migration_job" {
  description = "Name of the migration Job of the deployed image."
  value       = kubernetes_job_v1.migrate.metadata[0].name
}
