variable "dns_zone" {
  description = "Scaleway DNS zone (e.g. binome.fr)."
  type        = string
}

variable "base_domain" {
  description = "Domain of the platform: the zone itself or a subdomain of it."
  type        = string
}

variable "ip_address" {
  description = "Public IPv4 of the load balancer."
  type        = string
}

variable "ttl" {
  description = "TTL of the A records."
  type        = number
  default     = 300
}
