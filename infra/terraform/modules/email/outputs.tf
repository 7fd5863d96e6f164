output "domain_id" {
  description = "ID of the TEM domain."
  value       = scaleway_tem_domain.main.id
}

output "validated" {
  description = "Whether TEM validated the domain."
  value       = scaleway_tem_domain_validation.main.validated
}

output "smtp_host" {
  description = "SMTP relay, for tools that cannot use the API."
  value       = scaleway_tem_domain.main.smtp_host
}

output "api_secret_key" {
  description = "SCALEWAY_TEM_API_KEY."
  value       = scaleway_iam_api_key.email.secret_key
  sensitive   = true
}
