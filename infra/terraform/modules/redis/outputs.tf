output "cluster_id" {
  description = "ID of the Redis cluster."
  value       = scaleway_redis_cluster.main.id
}

output "endpoint" {
  description = "Private address and port of the cluster."
  value       = "${local.address}:6379"
}

output "cache_url" {
  description = "REDIS_URL: TLS, certificate verified, database 0."
  value       = "rediss://${local.credentials}@${local.address}:6379/0?${local.tls_query}"
  sensitive   = true
}

output "broker_url" {
  description = "CELERY_BROKER_URL: TLS, certificate verified, database 1."
  value       = "rediss://${local.credentials}@${local.address}:6379/1?${local.tls_query}"
  sensitive   = true
}

output "ca_certificate" {
  description = "PEM certificate presented by the cluster (TLS is on)."
  value       = scaleway_redis_cluster.main.certificate
}

output "ca_certificate_path" {
  description = "Path the containers must mount ca_certificate at."
  value       = var.ca_certificate_path
}
