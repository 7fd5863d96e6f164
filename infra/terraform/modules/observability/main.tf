# Cockpit data sources for the application's metrics and logs. Kapsule's control plane and the
# managed database already report to Cockpit on their own; these sources receive what the
# in-cluster agent (Grafana Alloy, see ../../README.md) pushes: pod logs (the JSON access log,
# Django and Celery logs) and Prometheus metrics.

resource "scaleway_cockpit_source" "metrics" {
  name           = "${var.name}-metrics"
  type           = "metrics"
  retention_days = var.metrics_retention_days
  region         = var.region
}

resource "scaleway_cockpit_source" "logs" {
  name           = "${var.name}-logs"
  type           = "logs"
  retention_days = var.logs_retention_days
  region         = var.region
}

# Push-only token for the agent: it can write, not read.
resource "scaleway_cockpit_token" "push" {
  name   = "${var.name}-push"
  region = var.region

  scopes {
    write_metrics = true
    write_logs    = true
    query_metrics = false
    query_logs    = false
  }
}
