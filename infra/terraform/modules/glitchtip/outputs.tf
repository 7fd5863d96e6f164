output "internal_url" {
  description = "GlitchTip inside the cluster: the host of the DSN the application sends to (ERROR_TRACKING=glitchtip)."
  value       = "http://glitchtip.${kubernetes_namespace_v1.glitchtip.metadata[0].name}.svc.cluster.local:8000"
}

output "database_name" {
  description = "GlitchTip's own database on the managed PostgreSQL instance."
  value       = scaleway_rdb_database.glitchtip.name
}
