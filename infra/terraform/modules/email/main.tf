# Transactional Email (TEM) for the sending domain, with the SPF, DKIM and DMARC records
# published in the Scaleway DNS zone, then a validation step that waits until TEM has seen them.

locals {
  # The sending domain may be the zone apex or a subdomain of it. Record names are relative to
  # the zone: "" at the apex, "mail" for mail.<zone>.
  subdomain = trimsuffix(trimsuffix(var.domain, var.dns_zone), ".")
  suffix    = local.subdomain == "" ? "" : ".${local.subdomain}"
  # RFC 7489: the DMARC policy of <domain> is the TXT record _dmarc.<domain>. (TEM's own
  # `dmarc_name` is that name as an absolute FQDN with a trailing dot, not relative to the zone.)
  dmarc_name = "_dmarc${local.suffix}"
}

resource "scaleway_tem_domain" "main" {
  name       = var.domain
  accept_tos = true
  autoconfig = false
  region     = var.region
}

resource "scaleway_domain_record" "spf" {
  dns_zone = var.dns_zone
  name     = local.subdomain
  type     = "TXT"
  data     = join(" ", compact(["v=spf1", scaleway_tem_domain.main.spf_config, var.spf_extra_mechanisms, "-all"]))
  ttl      = 3600
}

resource "scaleway_domain_record" "dkim" {
  dns_zone = var.dns_zone
  name     = "${scaleway_tem_domain.main.project_id}._domainkey${local.suffix}"
  type     = "TXT"
  data     = scaleway_tem_domain.main.dkim_config
  ttl      = 3600
}

resource "scaleway_domain_record" "dmarc" {
  dns_zone = var.dns_zone
  name     = local.dmarc_name
  type     = "TXT"
  data     = var.dmarc_record != "" ? var.dmarc_record : scaleway_tem_domain.main.dmarc_config
  ttl      = 3600
}

resource "scaleway_tem_domain_validation" "main" {
  domain_id = scaleway_tem_domain.main.id
  region    = var.region
  timeout   = var.validation_timeout_seconds

  depends_on = [
    scaleway_domain_record.spf,
    scaleway_domain_record.dkim,
    scaleway_domain_record.dmarc,
  ]
}

# Key the application sends with (SCALEWAY_TEM_API_KEY, django-anymail's Scaleway backend).
# IAM lives at the organisation level: both resources name it (var.organization_id).
resource "scaleway_iam_application" "email" {
  name            = "${var.name}-email"
  description     = "Binôme workers: sending transactional email through TEM."
  organization_id = var.organization_id
}

resource "scaleway_iam_policy" "email" {
  name            = "${var.name}-email"
  description     = "Send email with Transactional Email in this project."
  application_id  = scaleway_iam_application.email.id
  organization_id = var.organization_id

  rule {
    project_ids          = [var.project_id]
    permission_set_names = ["TransactionalEmailFullAccess"]
  }
}

resource "scaleway_iam_api_key" "email" {
  application_id     = scaleway_iam_application.email.id
  description        = "SCALEWAY_TEM_API_KEY of the application."
  default_project_id = var.project_id
}
