output "load_balancer_ip" {
  description = "Public IPv4 of the platform (apex and *.base_domain)."
  value       = module.loadbalancer.ip_address
}

output "certificate_not_valid_after" {
  description = "Expiry of the wildcard certificate."
  value       = module.loadbalancer.certificate_not_valid_after
}

output "egress_ip" {
  description = "Source address of the platform's outbound calls."
  value       = module.network.egress_ip
}

output "registry_endpoint" {
  description = "Push the image to <registry_endpoint>/binome:<tag>."
  value       = module.compute.registry_endpoint
}

output "kubeconfig" {
  description = "API endpoint and token of the cluster (terraform output -json kubeconfig)."
  value       = module.compute.kubeconfig
  sensitive   = true
}

output "database_endpoint" {
  description = "Private endpoint of PostgreSQL."
  value       = module.database.endpoint
}

output "redis_endpoint" {
  description = "Private endpoint of Redis."
  value       = module.redis.endpoint
}

output "media_bucket" {
  description = "Bucket of media and exports."
  value       = module.storage.bucket_name
}

output "secret_ids" {
  description = "Secret Manager IDs of the application's secrets."
  value       = module.secrets.secret_ids
}

output "email_domain_validated" {
  description = "Whether Transactional Email validated the sending domain."
  value       = module.email.validated
}

output "cockpit_push" {
  description = "Endpoints the in-cluster agent pushes logs and metrics to."
  value = {
    logs    = module.observability.logs_push_url
    metrics = module.observability.metrics_push_url
  }
}

output "cockpit_push_token" {
  description = "Token of the in-cluster agent."
  value       = module.observability.push_token
  sensitive   = true
}
