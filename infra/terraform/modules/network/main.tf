# One VPC and one private network hold everything: database, Redis, the Kubernetes nodes and
# the load balancer talk to each other on private addresses only.
#
# The public gateway is the single way out to the internet for the nodes, which have no public
# IP (Kapsule pools with `public_ip_disabled`): it masquerades their egress (image pulls, the
# Whereby API, Sentry) behind one stable address. It exposes nothing inbound: no bastion, no
# port forwarding. Inbound traffic only ever enters through the load balancer.

resource "scaleway_vpc" "main" {
  name           = "${var.name}-vpc"
  region         = var.region
  enable_routing = true
  tags           = var.tags
}

resource "scaleway_vpc_private_network" "main" {
  name   = "${var.name}-private"
  vpc_id = scaleway_vpc.main.id
  region = var.region
  tags   = var.tags

  ipv4_subnet {
    subnet = var.subnet_cidr
  }
}

resource "scaleway_vpc_public_gateway_ip" "egress" {
  count = var.public_gateway_enabled ? 1 : 0

  zone = var.zone
  tags = var.tags
}

resource "scaleway_vpc_public_gateway" "egress" {
  count = var.public_gateway_enabled ? 1 : 0

  name            = "${var.name}-egress"
  type            = var.public_gateway_type
  zone            = var.zone
  ip_id           = scaleway_vpc_public_gateway_ip.egress[0].id
  bastion_enabled = false
  tags            = var.tags
}

resource "scaleway_vpc_gateway_network" "egress" {
  count = var.public_gateway_enabled ? 1 : 0

  gateway_id         = scaleway_vpc_public_gateway.egress[0].id
  private_network_id = scaleway_vpc_private_network.main.id
  zone               = var.zone
  enable_masquerade  = true

  ipam_config {
    push_default_route = true
  }
}
