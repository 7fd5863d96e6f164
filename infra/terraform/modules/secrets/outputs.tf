output "secret_ids" {
  description = "Secret Manager IDs by environment variable name."
  value       = { for name, secret in scaleway_secret.app : name => secret.id }
}

output "env" {
  description = "The application's secret environment, as stored in Secret Manager."
  value       = { for name, version in scaleway_secret_version.app : name => version.data }
  sensitive   = true
}
