# The base domain and every programme subdomain (*.<base_domain>) point at the load balancer.
# A CAA record restricts issuance to Let's Encrypt, which issues the wildcard certificate.

locals {
  subdomain     = trimsuffix(trimsuffix(var.base_domain, var.dns_zone), ".")
  apex_name     = local.subdomain
  wildcard_name = local.subdomain == "" ? "*" : "*.${local.subdomain}"
}

resource "scaleway_domain_record" "apex" {
  dns_zone = var.dns_zone
  name     = local.apex_name
  type     = "A"
  data     = var.ip_address
  ttl      = var.ttl
}

resource "scaleway_domain_record" "wildcard" {
  dns_zone = var.dns_zone
  name     = local.wildcard_name
  type     = "A"
  data     = var.ip_address
  ttl      = var.ttl
}

resource "scaleway_domain_record" "caa" {
  dns_zone = var.dns_zone
  name     = local.apex_name
  type     = "CAA"
  data     = "0 issue \"letsencrypt.org\""
  ttl      = 3600
}
