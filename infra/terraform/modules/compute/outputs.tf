output "cluster_id" {
  description = "ID of the Kapsule cluster."
  value       = scaleway_k8s_cluster.main.id
}

output "kubeconfig" {
  description = "Connection to the cluster's API, available once a pool is ready."
  value = {
    host                   = scaleway_k8s_cluster.main.kubeconfig[0].host
    token                  = scaleway_k8s_cluster.main.kubeconfig[0].token
    cluster_ca_certificate = scaleway_k8s_cluster.main.kubeconfig[0].cluster_ca_certificate
  }
  sensitive  = true
  depends_on = [scaleway_k8s_pool.web, scaleway_k8s_pool.jobs]
}

output "web_node_private_ips" {
  description = "Private IPv4 addresses of the web nodes (the load balancer's backends)."
  value       = local.web_node_private_ips
}

output "registry_endpoint" {
  description = "Where to push the image: <endpoint>/binome:<tag>."
  value       = scaleway_registry_namespace.main.endpoint
}

output "registry_docker_config" {
  description = "Content of the kubernetes.io/dockerconfigjson pull secret."
  value       = local.docker_config
  sensitive   = true
}
