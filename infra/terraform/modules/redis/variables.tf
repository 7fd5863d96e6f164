variable "name" {
  description = "Prefix of every resource name."
  type        = string
}

variable "private_network_id" {
  description = "Private network the cluster is reachable on. No public endpoint."
  type        = string
}

variable "redis_version" {
  description = "Redis version (`scw redis version list` shows the available ones)."
  type        = string
  default     = "7.2.4"
}

variable "node_type" {
  description = "Node offer."
  type        = string
  default     = "RED1-S"
}

variable "cluster_size" {
  description = "1 = standalone. Cluster mode (3+) is not usable as a Celery broker, so it is refused."
  type        = number
  default     = 1

  validation {
    condition     = contains([1, 2], var.cluster_size)
    error_message = "cluster_size must be 1 (standalone) or 2 (high availability where offered)."
  }
}

variable "user_name" {
  description = "Redis ACL user of the application."
  type        = string
  default     = "binome"
}

variable "ca_certificate_path" {
  description = "Where the containers find the cluster's CA certificate (mounted from a ConfigMap)."
  type        = string
  default     = "/etc/binome/redis/ca.pem"
}
variable "zone" {
  description = "Scaleway zone: a zone of fr-par (Paris) only."
  type        = string
  default     = "fr-par-1"

  validation {
    condition     = contains(["fr-par-1", "fr-par-2", "fr-par-3"], var.zone)
    error_message = "The zone must be fr-par-1, fr-par-2 or fr-par-3: datacentres in France only."
  }
}

variable "tags" {
  description = "Tags put on every resource that takes them."
  type        = list(string)
  default     = []
}
