# Kapsule (managed Kubernetes) runs the three processes of the one application image:
# web (gunicorn), worker (celery worker) and beat (celery beat). README.md explains why
# Kapsule rather than Serverless Containers.
#
# Two node pools, both on the private network and without public IPs: their egress goes through
# the network module's public gateway, which must exist before they boot (the root module makes
# this module depend on the network module):
# - "web": fixed size, so the load balancer's backend list (the nodes' private IPs) is stable;
#   autohealing replaces a broken node and the next apply refreshes the list.
# - "jobs": autoscaled, for Celery workers, beat and the migration job.

resource "scaleway_k8s_cluster" "main" {
  name                        = "${var.name}-k8s"
  type                        = "kapsule"
  version                     = var.kubernetes_version
  cni                         = "cilium"
  private_network_id          = var.private_network_id
  delete_additional_resources = false
  region                      = var.region
  tags                        = var.tags

  auto_upgrade {
    enable                        = true
    maintenance_window_start_hour = var.maintenance_window_start_hour
    maintenance_window_day        = var.maintenance_window_day
  }
}

resource "scaleway_k8s_pool" "web" {
  cluster_id          = scaleway_k8s_cluster.main.id
  name                = "web"
  node_type           = var.web_node_type
  size                = var.web_pool_size
  autoscaling         = false
  autohealing         = true
  public_ip_disabled  = true
  wait_for_pool_ready = true
  zone                = var.zone
  region              = var.region
  tags                = var.tags

  upgrade_policy {
    max_surge       = 1
    max_unavailable = 0
  }
}

resource "scaleway_k8s_pool" "jobs" {
  cluster_id          = scaleway_k8s_cluster.main.id
  name                = "jobs"
  node_type           = var.jobs_node_type
  size                = var.jobs_pool_min_size
  min_size            = var.jobs_pool_min_size
  max_size            = var.jobs_pool_max_size
  autoscaling         = true
  autohealing         = true
  public_ip_disabled  = true
  wait_for_pool_ready = true
  zone                = var.zone
  region              = var.region
  tags                = var.tags

  upgrade_policy {
    max_surge       = 1
    max_unavailable = 0
  }
}

# Private registry for the application image.
resource "scaleway_registry_namespace" "main" {
  name        = "${var.name}-images"
  description = "Binôme application images."
  is_public   = false
  region      = var.region
}

# Read-only key the cluster pulls the image with (imagePullSecret).
resource "scaleway_iam_application" "registry_pull" {
  name            = "${var.name}-registry-pull"
  description     = "Kapsule nodes pulling the application image."
  organization_id = var.organization_id
}

resource "scaleway_iam_policy" "registry_pull" {
  name            = "${var.name}-registry-pull"
  description     = "Pull images from the project's registry."
  application_id  = scaleway_iam_application.registry_pull.id
  organization_id = var.organization_id

  rule {
    project_ids          = [var.project_id]
    permission_set_names = ["ContainerRegistryReadOnly"]
  }
}

resource "scaleway_iam_api_key" "registry_pull" {
  application_id     = scaleway_iam_application.registry_pull.id
  description        = "imagePullSecret of the application namespace."
  default_project_id = var.project_id
}

locals {
  registry_host = "rg.${var.region}.scw.cloud"
  web_node_private_ips = [
    for address in flatten([for node in scaleway_k8s_pool.web.nodes : node.private_ips[*].address]) :
    address if !strcontains(address, ":")
  ]
  docker_config = jsonencode({
    auths = {
      (local.registry_host) = {
        username = "nologin"
        password = scaleway_iam_api_key.registry_pull.secret_key
        auth     = base64encode("nologin:${scaleway_iam_api_key.registry_pull.secret_key}")
      }
    }
  })
}
