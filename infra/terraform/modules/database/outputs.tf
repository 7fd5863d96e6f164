output "instance_id" {
  description = "ID of the PostgreSQL instance."
  value       = scaleway_rdb_instance.main.id
}

output "endpoint" {
  description = "Private address and port of the primary."
  value       = "${local.endpoint_ip}:${local.endpoint_port}"
}

output "database_url" {
  description = "DATABASE_URL for the application (private endpoint, TLS required)."
  value       = local.database_url
  sensitive   = true
}

output "read_replica_url" {
  description = "URL of the read replica, null when there is none."
  value       = local.replica_url
  sensitive   = true
}

output "ca_certificate" {
  description = "CA certificate of the instance (for sslmode=verify-full)."
  value       = scaleway_rdb_instance.main.certificate
}
