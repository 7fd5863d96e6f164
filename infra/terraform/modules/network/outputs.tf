output "vpc_id" {
  description = "ID of the VPC."
  value       = scaleway_vpc.main.id
}

output "private_network_id" {
  description = "ID of the private network every service is attached to."
  value       = scaleway_vpc_private_network.main.id
}

output "subnet_cidr" {
  description = "IPv4 subnet of the private network."
  value       = var.subnet_cidr
}

output "egress_ip" {
  description = "Public IPv4 the nodes' outbound traffic comes from (to allow-list at partners)."
  value       = var.public_gateway_enabled ? scaleway_vpc_public_gateway_ip.egress[0].address : null
}
