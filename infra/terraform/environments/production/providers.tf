# Scaleway credentials: SCW_ACCESS_KEY / SCW_SECRET_KEY in the environment, never in files.
# The organisation is explicit too: IAM resources (module "email") are created in it.
provider "scaleway" {
  region          = var.region
  zone            = var.zone
  project_id      = var.project_id
  organization_id = var.organization_id
}

# Talks to the cluster created by module.compute. On the very first apply the cluster does not
# exist yet: apply `-target=module.compute` first (README, "First deployment").
provider "kubernetes" {
  host                   = module.compute.kubeconfig.host
  token                  = module.compute.kubeconfig.token
  cluster_ca_certificate = base64decode(module.compute.kubeconfig.cluster_ca_certificate)
}
