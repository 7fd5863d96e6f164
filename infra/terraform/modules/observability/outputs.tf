output "metrics_push_url" {
  description = "Prometheus remote-write endpoint of the metrics source."
  value       = scaleway_cockpit_source.metrics.push_url
}

output "logs_push_url" {
  description = "Loki push endpoint of the logs source."
  value       = scaleway_cockpit_source.logs.push_url
}

output "push_token" {
  description = "Token the agent pushes with."
  value       = scaleway_cockpit_token.push.secret_key
  sensitive   = true
}
