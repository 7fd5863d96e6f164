output "lb_id" {
  description = "ID of the load balancer."
  value       = scaleway_lb.main.id
}

output "ip_address" {
  description = "Public IPv4 the wildcard DNS record points to."
  value       = scaleway_lb_ip.main.ip_address
}

output "certificate_not_valid_after" {
  description = "Expiry of the wildcard certificate in use: renew well before."
  value       = scaleway_lb_certificate.wildcard.not_valid_after
}
