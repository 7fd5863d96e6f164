output "secret_ids" {
  description = "Secret Manager IDs by environment variable name."
  value       = { for name, secret in scaleway_secret.app : name => secret.id }
}

# The values themselves, not `scaleway_secret_version.app[*].data`: the provider keeps that
# attribute base64-encoded in the state (its StateFunc), so a Kubernetes Secret built from it
# would hand the pods an encoded DATABASE_URL. (Decoding it back is no fix either: a value that
# already looks like base64 is stored unchanged.) The migration Job checks the URLs parse.
output "env" {
  description = "The application's secret environment (the values written to Secret Manager)."
  value       = { for name in local.secret_names : name => local.values[name] }
  sensitive   = true

  # Every value is in Secret Manager before a pod can read it.
  depends_on = [scaleway_secret_version.app]
}
