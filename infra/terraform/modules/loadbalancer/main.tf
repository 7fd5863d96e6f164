# Public entry: one flexible IP, one load balancer attached to the private network.
# - port 443 terminates TLS with the imported wildcard certificate (*.<base_domain> and the
#   apex) and forwards HTTP to the web NodePort on the web nodes' private IPs;
# - port 80 answers every request with a 301 to https:// (scheme redirect ACL).
# Let's Encrypt through the load balancer cannot issue a wildcard certificate, hence the
# custom certificate obtained by DNS-01 (see ../../README.md, "Wildcard certificate").

resource "scaleway_lb_ip" "main" {
  zone = var.zone
  tags = var.tags
}

resource "scaleway_lb" "main" {
  name                    = "${var.name}-lb"
  type                    = var.lb_type
  ip_ids                  = [scaleway_lb_ip.main.id]
  ssl_compatibility_level = "ssl_compatibility_level_intermediate"
  zone                    = var.zone
  tags                    = var.tags

  private_network {
    private_network_id = var.private_network_id
  }
}

resource "scaleway_lb_certificate" "wildcard" {
  lb_id = scaleway_lb.main.id
  name  = "${var.name}-wildcard"

  custom_certificate {
    certificate_chain = var.certificate_chain
  }

  # A renewed certificate is uploaded before the old one is removed from the frontend.
  lifecycle {
    create_before_destroy = true
  }
}

resource "scaleway_lb_backend" "web" {
  lb_id            = scaleway_lb.main.id
  name             = "web"
  forward_protocol = "http"
  forward_port     = var.backend_port
  server_ips       = var.backend_server_ips
  proxy_protocol   = "none"
  timeout_server   = "60s"
  timeout_connect  = "5s"

  health_check_delay       = "10s"
  health_check_timeout     = "5s"
  health_check_max_retries = 3

  health_check_http {
    uri         = "/healthz"
    method      = "GET"
    code        = 200
    host_header = var.health_check_host
  }
}

resource "scaleway_lb_frontend" "https" {
  lb_id           = scaleway_lb.main.id
  backend_id      = scaleway_lb_backend.web.id
  name            = "https"
  inbound_port    = 443
  certificate_ids = [scaleway_lb_certificate.wildcard.id]
  timeout_client  = "60s"
}

resource "scaleway_lb_frontend" "http_redirect" {
  lb_id        = scaleway_lb.main.id
  backend_id   = scaleway_lb_backend.web.id
  name         = "http-redirect"
  inbound_port = 80

  acl {
    name = "redirect-to-https"

    action {
      type = "redirect"

      redirect {
        type   = "scheme"
        target = "https"
        code   = 301
      }
    }

    match {
      ip_subnet = ["0.0.0.0/0", "::/0"]
    }
  }
}
